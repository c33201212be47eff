import type { Role } from '../api/auth-api.ts';

/**
 * What the signed-in user may do on the admin pages, from their role. The server enforces the
 * same rules; the pages only hide what would be refused.
 */
export interface AdminAbilities {
  /** List and inspect users, suspend and reactivate them, unlock sign-ins. */
  moderateUsers: boolean;
  /** Change a user's role. */
  changeRoles: boolean;
  /** Delete an account. */
  deleteUsers: boolean;
  /** Create an account (mailed a set-password link) or invite someone to sign up. */
  addUsers: boolean;
  /** See live sessions and rooms, and terminate a session. */
  manageSessions: boolean;
  /** Read the audit log. */
  readAudit: boolean;
}

export function adminAbilities(role: Role): AdminAbilities {
  const admin = role === 'admin';
  const staff = admin || role === 'moderator';
  return {
    moderateUsers: staff,
    changeRoles: admin,
    deleteUsers: admin,
    addUsers: admin,
    manageSessions: staff,
    readAudit: staff,
  };
}

/**
 * Whether `viewer` may suspend or reactivate an account of role `target`: admins anyone, moderators
 * only users, analysts and guests (the service refuses a moderator the rest, so that a moderator
 * cannot suspend the admins who appointed them).
 */
export function canChangeStatusOf(viewer: Role, target: Role): boolean {
  if (viewer === 'admin') return true;
  return viewer === 'moderator' && target !== 'admin' && target !== 'moderator';
}
