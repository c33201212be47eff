import type { AttuneDatabase } from '../open-database.ts';
import type { PostgresDatabase } from '../open-postgres.ts';
import {
  deleteUserWithPasswordHashPg,
  exportUserDataPg,
  listLiveDevicesPg,
  signOutDevicePg,
} from '../postgres/account.ts';
import { forgetUserInAuditLogPg, insertAuditEntryPg } from '../postgres/audit-log.ts';
import { runUnit } from '../postgres/transaction.ts';
import {
  type Device,
  type UserDataExport,
  deleteUserWithPasswordHash,
  exportUserData,
  listLiveDevices,
  signOutDevice,
} from '../queries/account.ts';
import {
  type NewAuditEntry,
  forgetUserInAuditLog,
  insertAuditEntry,
} from '../queries/audit-log.ts';
import { runSync } from './run-sync.ts';

/** What a signed-in user may see, export and delete about their own account. */
export interface AccountStore {
  /** The user's signed-in devices (live refresh-token families), last used first. */
  devices(userId: string, nowMs: number): Promise<Device[]>;
  /**
   * Signs one of the user's devices out and writes `audit`, in one unit. False, with nothing
   * written, when the user has no live device of that id (someone else's included).
   */
  signOutDevice(
    input: { userId: string; familyId: string },
    audit: NewAuditEntry,
    nowMs: number,
  ): Promise<boolean>;
  /** Every row stored about the user but their secrets, read consistently; undefined if none. */
  exportData(userId: string): Promise<UserDataExport | undefined>;
  /**
   * Deletes the account, in one unit: only while its password hash is still `verifiedHash` (a
   * change meanwhile wins, and false is returned with nothing written); everything the user owns
   * goes with it, their audit entries are anonymised, and `audit` is written.
   */
  deleteWithPassword(
    input: { userId: string; verifiedHash: string | null },
    audit: NewAuditEntry,
    nowMs: number,
  ): Promise<boolean>;
}

/** SQLite: each write is one immediate transaction of its own. */
export function sqliteAccountStore({ db }: AttuneDatabase): AccountStore {
  return {
    devices: (userId, nowMs) => runSync(() => listLiveDevices(db, userId, nowMs)),
    signOutDevice: ({ userId, familyId }, audit, nowMs) =>
      runSync(() =>
        db.transaction(
          (tx) => {
            if (!signOutDevice(tx, userId, familyId, nowMs)) return false;
            insertAuditEntry(tx, audit, nowMs);
            return true;
          },
          { behavior: 'immediate' },
        ),
      ),
    exportData: (userId) => runSync(() => exportUserData(db, userId)),
    deleteWithPassword: ({ userId, verifiedHash }, audit, nowMs) =>
      runSync(() =>
        db.transaction(
          (tx) => {
            if (!deleteUserWithPasswordHash(tx, userId, verifiedHash)) return false;
            forgetUserInAuditLog(tx, userId);
            insertAuditEntry(tx, audit, nowMs);
            return true;
          },
          { behavior: 'immediate' },
        ),
      ),
  };
}

export function postgresAccountStore({ db }: PostgresDatabase): AccountStore {
  return {
    devices: (userId, nowMs) => listLiveDevicesPg(db, userId, nowMs),
    signOutDevice: ({ userId, familyId }, audit, nowMs) =>
      runUnit(db, async (tx) => {
        if (!(await signOutDevicePg(tx, userId, familyId, nowMs))) return false;
        await insertAuditEntryPg(tx, audit, nowMs);
        return true;
      }),
    exportData: (userId) => exportUserDataPg(db, userId),
    deleteWithPassword: ({ userId, verifiedHash }, audit, nowMs) =>
      runUnit(db, async (tx) => {
        if (!(await deleteUserWithPasswordHashPg(tx, userId, verifiedHash))) return false;
        await forgetUserInAuditLogPg(tx, userId);
        await insertAuditEntryPg(tx, audit, nowMs);
        return true;
      }),
  };
}
