import type { z } from '@hono/zod-openapi';
import type { User } from '@attune/db';
import type { AppDeps } from '../../deps.ts';
import { toUserResponse } from '../../users/user-response.ts';
import type { adminUserViewSchema } from './admin-accounts.routes.ts';

export type AdminUserView = z.infer<typeof adminUserViewSchema>;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A user as admins and moderators see them: the public view plus verification, throttle and sessions. */
export async function toAdminUserView(
  deps: Pick<AppDeps, 'store' | 'now'>,
  user: User,
): Promise<AdminUserView> {
  const [lockedUntil, activeSessions] = await Promise.all([
    deps.store.loginThrottle.blockedUntil(user.email, deps.now()),
    deps.store.admin.countActiveSessions(user.id),
  ]);
  return {
    ...toUserResponse(user),
    email_verified: user.emailVerifiedAt !== null,
    pending_email: user.pendingEmail,
    password_set: user.passwordHash !== null,
    locked_until: iso(lockedUntil),
    active_sessions: activeSessions,
  };
}
