/**
 * Accounts an admin makes or changes outside the admin's user edit: an account with a mailed
 * set-password link, an invitation, and the operator's role change from the command line. Each is
 * one unit inside the caller's write transaction; a refusal is decided before anything is written.
 */
import type { Db } from '../open-database.ts';
import type { ActionToken, User, UserRole } from '../schema.ts';
import { issueActionToken } from './action-tokens.ts';
import type { AuditFor } from './audit-builder.ts';
import { insertAuditEntry } from './audit-log.ts';
import {
  countNonGuestUsers,
  createUserWithoutPassword,
  findUserByEmail,
  findUserById,
  setUserRole,
} from './users.ts';

/** An account an admin creates: no password until its owner follows the set-password link. */
export interface AdminNewUser {
  /** Normalised. */
  email: string;
  fullName: string;
  role: UserRole;
  /** Non-guest accounts allowed (MAX_USERS); null for no limit. */
  maxUsers: number | null;
  /** How long the set-password link works. */
  linkTtlMs: number;
}

export type AdminNewUserResult =
  | { status: 'created'; user: User; token: string }
  /** MAX_USERS non-guest accounts exist already: nothing written. */
  | { status: 'user_limit' }
  /** The address has an account: nothing written. */
  | { status: 'email_taken' };

/** An invitation an admin mails: whoever signs up with it at `email` gets `role`. */
export interface AdminInvitation {
  /** Normalised. */
  email: string;
  role: UserRole;
  /** Non-guest accounts allowed (MAX_USERS); null for no limit. */
  maxUsers: number | null;
  ttlMs: number;
}

export type AdminInvitationResult =
  | { status: 'issued'; token: string; row: ActionToken }
  /** The address has an account already: nothing written. */
  | { status: 'email_taken' }
  /** MAX_USERS non-guest accounts exist: the invitation could never be used; nothing written. */
  | { status: 'user_limit' };

/**
 * Creates a user without a password and issues its set-password link, with `audit` about the new
 * user. Refused first at MAX_USERS, then for a taken address (the order the API has always
 * answered in). SQLite has one writer: the count cannot go stale before the insert.
 */
export function createUserWithPasswordLink(
  db: Db,
  input: AdminNewUser,
  nowMs: number,
  audit?: AuditFor<User>,
): AdminNewUserResult {
  if (input.maxUsers !== null && countNonGuestUsers(db) >= input.maxUsers)
    return { status: 'user_limit' };
  const user = createUserWithoutPassword(
    db,
    { email: input.email, fullName: input.fullName, role: input.role },
    nowMs,
  );
  if (!user) return { status: 'email_taken' };
  const { token } = issueActionToken(
    db,
    { purpose: 'set_password', userId: user.id, email: user.email, ttlMs: input.linkTtlMs },
    nowMs,
  );
  const entry = audit?.(user);
  if (entry) insertAuditEntry(db, entry, nowMs);
  return { status: 'created', user, token };
}

/**
 * Issues an invitation (voiding the address's earlier ones), with `audit`. Refused for an address
 * that has an account, then at MAX_USERS.
 */
export function inviteUser(
  db: Db,
  input: AdminInvitation,
  nowMs: number,
  audit?: AuditFor<ActionToken>,
): AdminInvitationResult {
  if (findUserByEmail(db, input.email)) return { status: 'email_taken' };
  if (input.maxUsers !== null && countNonGuestUsers(db) >= input.maxUsers)
    return { status: 'user_limit' };
  const issued = issueActionToken(
    db,
    {
      purpose: 'invitation',
      userId: null,
      email: input.email,
      role: input.role,
      ttlMs: input.ttlMs,
    },
    nowMs,
  );
  const entry = audit?.(issued.row);
  if (entry) insertAuditEntry(db, entry, nowMs);
  return { status: 'issued', ...issued };
}

/**
 * The operator's role change (`pnpm admin set-role`), with `audit`: unlike an admin's change it
 * may take the last admin's role (the operator can always make a new admin from the same shell).
 * Returns the user before and after; undefined when there is no such user.
 */
export function setRoleByOperator(
  db: Db,
  userId: string,
  role: UserRole,
  audit: AuditFor<{ previous: User; user: User }>,
  nowMs: number,
): { previous: User; user: User } | undefined {
  const previous = findUserById(db, userId);
  const user = previous && setUserRole(db, userId, role);
  if (!previous || !user) return undefined;
  const entry = audit({ previous, user });
  if (entry) insertAuditEntry(db, entry, nowMs);
  return { previous, user };
}
