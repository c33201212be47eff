import type { AttuneDatabase } from '../open-database.ts';
import type { PostgresDatabase } from '../open-postgres.ts';
import {
  resetPasswordWithTokenPg,
  setPasswordAndSignOutEverywherePg,
  verifyEmailWithTokenPg,
} from '../postgres/account-recovery.ts';
import { insertAuditEntryPg } from '../postgres/audit-log.ts';
import { runUnit } from '../postgres/transaction.ts';
import {
  type EmailTokenResult,
  type NewPasswordOptions,
  type PasswordTokenResult,
  resetPasswordWithToken,
  setPasswordAndSignOutEverywhere,
  verifyEmailWithToken,
} from '../queries/account-recovery.ts';
import type { AuditFor } from '../queries/audit-builder.ts';
import { insertAuditEntry } from '../queries/audit-log.ts';
import type { User } from '../schema.ts';

/** What a password link set: the user as changed and which kind of link it was. */
export type PasswordSet = Extract<PasswordTokenResult, { status: 'password_set' }>;

/**
 * The units behind mailed links and password changes (queries/account-recovery.ts): each spends
 * its link exactly when its effect is written, with its audit entry, on either engine.
 */
export interface AccountRecoveryStore {
  /**
   * Sets the user's password and signs every device out (but `options.keepFamilyId`), voids
   * password links, drops a pending email change and forgets the email's failed sign-ins;
   * `undefined` for an unknown user or a stale `options.ifPasswordHashIs`.
   */
  setPassword(
    userId: string,
    passwordHash: string,
    nowMs: number,
    options?: NewPasswordOptions,
    audit?: AuditFor<User>,
  ): Promise<User | undefined>;
  /** Spends a reset or set-password link and sets the password (as `setPassword`), address verified. */
  resetPassword(
    input: { token: string; passwordHash: string },
    nowMs: number,
    audit?: AuditFor<PasswordSet>,
  ): Promise<PasswordTokenResult>;
  /** Spends a verification link: the address becomes (or is confirmed as) the account's email. */
  verifyEmail(token: string, nowMs: number, audit?: AuditFor<User>): Promise<EmailTokenResult>;
}

export function sqliteAccountRecoveryStore({ groupCommit }: AttuneDatabase): AccountRecoveryStore {
  return {
    setPassword: (userId, passwordHash, nowMs, options, audit) =>
      groupCommit.run((tx) => {
        const user = setPasswordAndSignOutEverywhere(tx, userId, passwordHash, nowMs, options);
        const entry = user && audit?.(user);
        if (entry) insertAuditEntry(tx, entry, nowMs);
        return user;
      }),
    resetPassword: (input, nowMs, audit) =>
      groupCommit.run((tx) => {
        const reset = resetPasswordWithToken(tx, input, nowMs);
        const entry = reset.status === 'password_set' && audit?.(reset);
        if (entry) insertAuditEntry(tx, entry, nowMs);
        return reset;
      }),
    verifyEmail: (token, nowMs, audit) =>
      groupCommit.run((tx) => {
        const verified = verifyEmailWithToken(tx, token, nowMs);
        const entry = verified.status === 'verified' && audit?.(verified.user);
        if (entry) insertAuditEntry(tx, entry, nowMs);
        return verified;
      }),
  };
}

export function postgresAccountRecoveryStore({ db }: PostgresDatabase): AccountRecoveryStore {
  return {
    setPassword: (userId, passwordHash, nowMs, options, audit) =>
      runUnit(db, async (tx) => {
        const user = await setPasswordAndSignOutEverywherePg(
          tx,
          userId,
          passwordHash,
          nowMs,
          options,
        );
        const entry = user && audit?.(user);
        if (entry) await insertAuditEntryPg(tx, entry, nowMs);
        return user;
      }),
    resetPassword: (input, nowMs, audit) =>
      runUnit(db, async (tx) => {
        const reset = await resetPasswordWithTokenPg(tx, input, nowMs);
        const entry = reset.status === 'password_set' && audit?.(reset);
        if (entry) await insertAuditEntryPg(tx, entry, nowMs);
        return reset;
      }),
    verifyEmail: (token, nowMs, audit) =>
      runUnit(db, async (tx) => {
        const verified = await verifyEmailWithTokenPg(tx, token, nowMs);
        const entry = verified.status === 'verified' && audit?.(verified.user);
        if (entry) await insertAuditEntryPg(tx, entry, nowMs);
        return verified;
      }),
  };
}
