import type { AttuneDatabase } from '../open-database.ts';
import type { PostgresDatabase } from '../open-postgres.ts';
import { insertAuditEntryPg } from '../postgres/audit-log.ts';
import {
  insertRefreshTokenFamilyPg,
  revokeRefreshFamilyPg,
  revokeUserRefreshFamiliesPg,
  rotateRefreshTokenPg,
} from '../postgres/refresh-tokens.ts';
import { runUnit } from '../postgres/transaction.ts';
import { type NewAuditEntry, insertAuditEntry } from '../queries/audit-log.ts';
import {
  type NewRefreshToken,
  type Rotation,
  type RotationResult,
  insertRefreshTokenFamily,
  revokeRefreshFamily,
  revokeUserRefreshFamilies,
  rotateRefreshToken,
} from '../queries/refresh-tokens.ts';
import type { RefreshToken } from '../schema.ts';
import { runSync } from './run-sync.ts';

/** Refresh tokens: one family per signed-in device, rotated on every use. */
export interface RefreshTokenStore {
  /** Starts a new family (a signed-in device) with its first token. */
  insertFamily(input: NewRefreshToken, nowMs: number): Promise<RefreshToken>;
  /**
   * Exchanges a refresh token for its successor. A token already rotated is a replay: its whole
   * family is revoked and `reused` returned, whichever replica rotated it.
   */
  rotate(rotation: Rotation, nowMs: number): Promise<RotationResult>;
  /** Revokes every live token of one of `userId`'s families; returns how many were live. */
  revokeFamily(userId: string, familyId: string, nowMs: number): Promise<number>;
  /**
   * Signs the user out of one device (`familyId`) or of every device (`everywhere`) and records
   * `audit`; returns how many tokens were live.
   */
  signOut(
    userId: string,
    scope: { familyId: string } | { everywhere: true },
    nowMs: number,
    audit?: NewAuditEntry | null,
  ): Promise<number>;
}

type SignOutScope = Parameters<RefreshTokenStore['signOut']>[1];

export function sqliteRefreshTokenStore({ db, groupCommit }: AttuneDatabase): RefreshTokenStore {
  return {
    insertFamily: (input, nowMs) =>
      groupCommit.run((tx) => insertRefreshTokenFamily(tx, input, nowMs)),
    // Its own immediate transaction: a rotation must never share a savepoint batch with others.
    rotate: (rotation, nowMs) => runSync(() => rotateRefreshToken(db, rotation, nowMs)),
    revokeFamily: (userId, familyId, nowMs) =>
      groupCommit.run((tx) => revokeRefreshFamily(tx, userId, familyId, nowMs)),
    signOut: (userId, scope: SignOutScope, nowMs, audit) =>
      groupCommit.run((tx) => {
        const revoked =
          'everywhere' in scope
            ? revokeUserRefreshFamilies(tx, userId, nowMs)
            : revokeRefreshFamily(tx, userId, scope.familyId, nowMs);
        if (audit) insertAuditEntry(tx, audit, nowMs);
        return revoked;
      }),
  };
}

export function postgresRefreshTokenStore({ db }: PostgresDatabase): RefreshTokenStore {
  return {
    insertFamily: (input, nowMs) => insertRefreshTokenFamilyPg(db, input, nowMs),
    rotate: (rotation, nowMs) => rotateRefreshTokenPg(db, rotation, nowMs),
    revokeFamily: (userId, familyId, nowMs) => revokeRefreshFamilyPg(db, userId, familyId, nowMs),
    signOut: (userId, scope: SignOutScope, nowMs, audit) =>
      runUnit(db, async (tx) => {
        const revoked =
          'everywhere' in scope
            ? await revokeUserRefreshFamiliesPg(tx, userId, nowMs)
            : await revokeRefreshFamilyPg(tx, userId, scope.familyId, nowMs);
        if (audit) await insertAuditEntryPg(tx, audit, nowMs);
        return revoked;
      }),
  };
}
