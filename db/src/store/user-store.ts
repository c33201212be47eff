import type { AttuneDatabase } from '../open-database.ts';
import type { PostgresDatabase } from '../open-postgres.ts';
import { insertAuditEntryPg } from '../postgres/audit-log.ts';
import { createAccountPg } from '../postgres/new-account.ts';
import { runUnit } from '../postgres/transaction.ts';
import {
  countNonGuestUsersPg,
  findSignedInUserPg,
  findUserByEmailPg,
  findUserByIdPg,
  updateFullNamePg,
} from '../postgres/users.ts';
import type { AuditFor } from '../queries/audit-builder.ts';
import { insertAuditEntry } from '../queries/audit-log.ts';
import {
  type CreatedAccount,
  type NewAccount,
  type NewAccountResult,
  createAccount,
} from '../queries/new-account.ts';
import {
  countNonGuestUsers,
  findSignedInUser,
  findUserByEmail,
  findUserById,
  updateFullName,
} from '../queries/users.ts';
import type { User } from '../schema.ts';
import { runSync } from './run-sync.ts';

/** Accounts: look-ups, sign-up within MAX_USERS, and the profile's own changes. */
export interface UserStore {
  findById(id: string): Promise<User | undefined>;
  /** By the normalised address. */
  findByEmail(email: string): Promise<User | undefined>;
  /** The user while the refresh-token family (device) an access token names is still signed in. */
  findSignedIn(userId: string, familyId: string, nowMs: number): Promise<User | undefined>;
  /**
   * A sign-up: refused at MAX_USERS (exactly: across replicas too), spends the invitation, inserts
   * the user and records `audit`, all or nothing.
   */
  createAccount(
    account: NewAccount,
    nowMs: number,
    audit?: AuditFor<CreatedAccount>,
  ): Promise<NewAccountResult>;
  /** Changes the display name and records `audit`; `undefined` for an unknown id. */
  rename(
    userId: string,
    fullName: string,
    nowMs: number,
    audit?: AuditFor<User>,
  ): Promise<User | undefined>;
  /** Accounts that are not guests: what MAX_USERS limits. */
  countNonGuest(): Promise<number>;
}

export function sqliteUserStore({ db, groupCommit }: AttuneDatabase): UserStore {
  return {
    findById: (id) => runSync(() => findUserById(db, id)),
    findByEmail: (email) => runSync(() => findUserByEmail(db, email)),
    findSignedIn: (userId, familyId, nowMs) =>
      runSync(() => findSignedInUser(db, userId, familyId, nowMs)),
    createAccount: (account, nowMs, audit) =>
      groupCommit.run((tx) => createAccount(tx, account, nowMs, audit)),
    rename: (userId, fullName, nowMs, audit) =>
      groupCommit.run((tx) => {
        const user = updateFullName(tx, userId, fullName);
        const entry = user && audit?.(user);
        if (entry) insertAuditEntry(tx, entry, nowMs);
        return user;
      }),
    countNonGuest: () => runSync(() => countNonGuestUsers(db)),
  };
}

export function postgresUserStore({ db }: PostgresDatabase): UserStore {
  return {
    findById: (id) => findUserByIdPg(db, id),
    findByEmail: (email) => findUserByEmailPg(db, email),
    findSignedIn: (userId, familyId, nowMs) => findSignedInUserPg(db, userId, familyId, nowMs),
    createAccount: (account, nowMs, audit) =>
      runUnit(db, (tx) => createAccountPg(tx, account, nowMs, audit)),
    rename: (userId, fullName, nowMs, audit) =>
      runUnit(db, async (tx) => {
        const user = await updateFullNamePg(tx, userId, fullName);
        const entry = user && audit?.(user);
        if (entry) await insertAuditEntryPg(tx, entry, nowMs);
        return user;
      }),
    countNonGuest: () => countNonGuestUsersPg(db),
  };
}
