import type { z } from '@hono/zod-openapi';
import { type User, countActiveSessionsOf, loginThrottleBlockedUntil } from '@attune/db';
import type { AppDeps } from '../../deps.ts';
import { toUserResponse } from '../../users/user-response.ts';
import type { adminUserViewSchema } from './admin-accounts.routes.ts';

export type AdminUserView = z.infer<typeof adminUserViewSchema>;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A user as admins and moderators see them: the public view plus verification, throttle and sessions. */
export function toAdminUserView(
  deps: Pick<AppDeps, 'database' | 'now'>,
  user: User,
): AdminUserView {
  const { db } = deps.database;
  return {
    ...toUserResponse(user),
    email_verified: user.emailVerifiedAt !== null,
    pending_email: user.pendingEmail,
    password_set: user.passwordHash !== null,
    locked_until: iso(loginThrottleBlockedUntil(db, user.email, deps.now())),
    active_sessions: countActiveSessionsOf(db, user.id),
  };
}
