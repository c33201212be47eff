import { createMiddleware } from 'hono/factory';
import type { UserRole } from '@attune/db';
import type { AppEnv } from '../app-env.ts';
import { apiError } from './error-catalog.ts';

/**
 * Lets the request through only if the caller (set by `requireUser`, which must run first) has one
 * of `roles`. The role is the one in the database, checked on this request.
 */
export function requireRole(...roles: UserRole[]) {
  const allowed = new Set<UserRole>(roles);
  return createMiddleware<AppEnv>(async (c, next) => {
    if (!allowed.has(c.get('caller').user.role)) {
      throw apiError('forbidden', `This needs one of these roles: ${roles.join(', ')}`);
    }
    await next();
  });
}

/** Guests have no memory: routes for members refuse them. Runs after `requireUser`. */
export const requireMember = createMiddleware<AppEnv>(async (c, next) => {
  if (c.get('caller').user.role === 'guest') throw apiError('guest_no_memory');
  await next();
});
