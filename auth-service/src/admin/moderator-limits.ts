import type { UserRole } from '@attune/db';

/**
 * What a moderator may not do through PATCH /admin/users/{id}, which the route's role list alone
 * cannot say: change anyone's role, or change the status of an admin or another moderator (a
 * moderator could otherwise suspend the admins who appointed them). Returns why, or null when the
 * change is theirs to make. Admins are not limited here.
 */
export function moderatorRefusal(
  target: { role: UserRole },
  change: { role?: UserRole | undefined },
): string | null {
  if (change.role !== undefined) return 'Moderators cannot change roles; an admin can';
  if (target.role === 'admin' || target.role === 'moderator')
    return 'Moderators cannot suspend or reactivate admins or moderators';
  return null;
}
