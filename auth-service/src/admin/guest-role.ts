import type { UserRole } from '@attune/db';

/**
 * Guest accounts are made by POST /auth/guest and expire, so no account may be moved into or out
 * of the guest role (a user made a guest would be deleted by the next sweep).
 */
export function isGuestRoleMove(from: UserRole, to: UserRole): boolean {
  return from !== to && (from === 'guest' || to === 'guest');
}

export const GUEST_ROLE_FIXED =
  'Guest accounts are made by POST /auth/guest and expire; no account can be moved into or out of the guest role';
