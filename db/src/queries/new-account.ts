/**
 * Creating an account by sign-up, as one unit: the MAX_USERS place, the invitation (if one is
 * presented) and the row are taken together or not at all.
 */
import type { Db } from '../open-database.ts';
import type { ActionToken, User, UserRole } from '../schema.ts';
import { consumeActionToken } from './action-tokens.ts';
import type { AuditFor } from './audit-builder.ts';
import { insertAuditEntry } from './audit-log.ts';
import { countNonGuestUsers, insertUser } from './users.ts';

export interface NewAccount {
  /** Normalised. */
  email: string;
  fullName: string;
  passwordHash: string;
  /** The role without an invitation (an invitation's own role wins). */
  role?: UserRole;
  /** Non-guest accounts allowed (MAX_USERS); null for no limit. */
  maxUsers: number | null;
  /** An invitation to spend with the account: it must be usable and mailed to `email`. */
  invitation: { token: string } | null;
}

export interface CreatedAccount {
  user: User;
  /** The invitation spent, if any: its role became the user's and its address counts as proven. */
  invitation: ActionToken | null;
}

export type NewAccountResult =
  | ({ status: 'created' } & CreatedAccount)
  /** MAX_USERS non-guest accounts exist already. */
  | { status: 'user_limit' }
  /** The invitation is unknown, used, voided, expired or for another address. */
  | { status: 'invitation_refused' }
  | { status: 'email_taken' };

/** The user row a sign-up writes: an invitation mailed to the address proved it. */
export function newAccountUser(account: NewAccount, invitation: ActionToken | null, nowMs: number) {
  return {
    email: account.email,
    fullName: account.fullName,
    passwordHash: account.passwordHash,
    role: invitation?.role ?? account.role ?? 'user',
    emailVerifiedAt: invitation ? nowMs : null,
  };
}

class EmailTaken extends Error {}

/**
 * Creates the account inside the caller's write transaction (a savepoint of it, so a refusal
 * leaves nothing behind — not even the spent invitation): refused once `maxUsers` non-guest
 * accounts exist, then the invitation is spent, then the row inserted and `audit` recorded.
 * SQLite runs one write transaction at a time, so the count cannot go stale before the insert.
 */
export function createAccount(
  db: Db,
  account: NewAccount,
  nowMs: number,
  audit?: AuditFor<CreatedAccount>,
): NewAccountResult {
  try {
    return db.transaction((tx): NewAccountResult => {
      if (account.maxUsers !== null && countNonGuestUsers(tx) >= account.maxUsers)
        return { status: 'user_limit' };
      let invitation: ActionToken | null = null;
      if (account.invitation) {
        invitation =
          consumeActionToken(
            tx,
            { token: account.invitation.token, purposes: ['invitation'], email: account.email },
            nowMs,
          ) ?? null;
        if (!invitation) return { status: 'invitation_refused' };
      }
      const user = insertUser(tx, newAccountUser(account, invitation, nowMs), nowMs);
      if (!user) throw new EmailTaken();
      const entry = audit?.({ user, invitation });
      if (entry) insertAuditEntry(tx, entry, nowMs);
      return { status: 'created', user, invitation };
    });
  } catch (error) {
    if (error instanceof EmailTaken) return { status: 'email_taken' };
    throw error;
  }
}
