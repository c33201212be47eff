import { createMiddleware } from 'hono/factory';
import type { UserRole } from '@attune/db';
import type { AppEnv } from '../app-env.ts';
import { ApiError } from './api-error.ts';

/**
 * Lets the request through only if the caller (set by `requireUser`, which must run first) has one
 * of `roles`. The role is the one in the database, checked on this request.
 */
export function requireRole(...roles: UserRole[]) {
  const allowed = new Set<UserRole>(roles);
  return createMiddleware<AppEnv>(async (c, next) => {
    if (!allowed.has(c.get('caller').user.role)) {
      throw new ApiError(403, 'forbidden', `This needs one of these roles: ${roles.join(', ')}`);
    }
    await next();
  });
}
