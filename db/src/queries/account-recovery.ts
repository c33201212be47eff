/**
 * Units of work behind the mailed links: setting a password (reset or first set) and verifying an
 * address. Each is one transaction, so a link is spent exactly when its effect is written.
 */
import { and, eq } from 'drizzle-orm';
import type { Db } from '../open-database.ts';
import { type ActionTokenPurpose, type User, users } from '../schema.ts';
import { consumeActionToken, voidUserActionTokens } from './action-tokens.ts';
import { confirmPendingEmail, dropPendingEmailChange } from './email-change.ts';
import { clearLoginThrottle } from './login-throttle.ts';
import { revokeUserRefreshFamilies } from './refresh-tokens.ts';
import { markEmailVerified } from './users.ts';

/** Tokens that set a password: a reset link, or the set-password link of an account an admin made. */
export const PASSWORD_TOKEN_PURPOSES = ['password_reset', 'set_password'] as const;

export interface NewPasswordOptions {
  /** A refresh-token family that stays signed in: the device that changed its own password. */
  keepFamilyId?: string;
  /** Write only if the password is still this hash (the one the caller verified): a change meanwhile wins. */
  ifPasswordHashIs?: string;
}

/**
 * Replaces the user's password and revokes what the old one could have handed out, in one
 * transaction: every device is signed out (every refresh-token family but `keepFamilyId`), every
 * unused reset or set-password link is voided (a link mailed before must not undo the new
 * password), a pending email change and its verification links are dropped (whoever knew the old
 * password may have asked for one to their own address), and the email's failed sign-ins are
 * forgotten. Every path that sets a password goes
 * through here. Returns the user, or `undefined` for an unknown id or a stale `ifPasswordHashIs`.
 */
export function setPasswordAndSignOutEverywhere(
  db: Db,
  userId: string,
  passwordHash: string,
  nowMs: number,
  options: NewPasswordOptions = {},
): User | undefined {
  return db.transaction(
    (tx) => {
      const user = tx
        .update(users)
        .set({ passwordHash })
        .where(
          and(
            eq(users.id, userId),
            options.ifPasswordHashIs === undefined
              ? undefined
              : eq(users.passwordHash, options.ifPasswordHashIs),
          ),
        )
        .returning()
        .get();
      if (!user) return undefined;
      revokeUserRefreshFamilies(tx, userId, nowMs, options.keepFamilyId);
      voidUserActionTokens(tx, userId, PASSWORD_TOKEN_PURPOSES, nowMs);
      dropPendingEmailChange(tx, userId, nowMs);
      clearLoginThrottle(tx, user.email);
      return { ...user, pendingEmail: null };
    },
    { behavior: 'immediate' },
  );
}

export type PasswordTokenResult =
  { status: 'password_set'; user: User; purpose: ActionTokenPurpose } | { status: 'invalid_token' };

/**
 * Spends a password-reset or set-password token and sets the password (`passwordHash`, hashed by
 * the caller) through `setPasswordAndSignOutEverywhere`, in one transaction, and marks the
 * address verified (the link was mailed there). A token mailed to an
 * address the account no longer has is refused.
 */
export function resetPasswordWithToken(
  db: Db,
  input: { token: string; passwordHash: string },
  nowMs: number,
): PasswordTokenResult {
  return db.transaction(
    (tx): PasswordTokenResult => {
      const spent = consumeActionToken(
        tx,
        { token: input.token, purposes: PASSWORD_TOKEN_PURPOSES },
        nowMs,
      );
      if (!spent?.userId) return { status: 'invalid_token' };
      const owner = tx.select().from(users).where(eq(users.id, spent.userId)).get();
      if (!owner || owner.email !== spent.email) return { status: 'invalid_token' };
      setPasswordAndSignOutEverywhere(tx, owner.id, input.passwordHash, nowMs);
      // Either link was mailed to this very address, so opening it proves the mailbox.
      const user = markEmailVerified(tx, owner.id, nowMs)!;
      return { status: 'password_set', user, purpose: spent.purpose };
    },
    { behavior: 'immediate' },
  );
}

export type EmailTokenResult =
  | { status: 'verified'; user: User }
  /** The link was for a new address that another account took meanwhile (a 409). */
  | { status: 'email_taken' }
  | { status: 'invalid_token' };

/**
 * Spends an email-verification token, in one transaction: a link mailed to the pending address
 * makes it the account's email (verified); a link mailed to the current address marks it
 * verified. A link for an address the account neither has nor waits for is refused.
 */
export function verifyEmailWithToken(db: Db, token: string, nowMs: number): EmailTokenResult {
  return db.transaction(
    (tx): EmailTokenResult => {
      const spent = consumeActionToken(tx, { token, purposes: ['email_verification'] }, nowMs);
      if (!spent?.userId) return { status: 'invalid_token' };
      const owner = tx.select().from(users).where(eq(users.id, spent.userId)).get();
      if (!owner) return { status: 'invalid_token' };
      if (owner.pendingEmail !== null && owner.pendingEmail === spent.email) {
        const confirmed = confirmPendingEmail(tx, owner.id, spent.email, nowMs);
        if (confirmed.status === 'confirmed') return { status: 'verified', user: confirmed.user };
        return confirmed.status === 'email_taken'
          ? { status: 'email_taken' }
          : { status: 'invalid_token' };
      }
      if (owner.email !== spent.email) return { status: 'invalid_token' };
      return { status: 'verified', user: markEmailVerified(tx, owner.id, nowMs)! };
    },
    { behavior: 'immediate' },
  );
}
