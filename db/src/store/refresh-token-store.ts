import type { AttuneDatabase } from '../open-database.ts';
import type { PostgresDatabase } from '../open-postgres.ts';
import {
  insertRefreshTokenFamilyPg,
  revokeRefreshFamilyPg,
  rotateRefreshTokenPg,
} from '../postgres/refresh-tokens.ts';
import {
  type NewRefreshToken,
  type Rotation,
  type RotationResult,
  insertRefreshTokenFamily,
  revokeRefreshFamily,
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
}

export function sqliteRefreshTokenStore({ db, groupCommit }: AttuneDatabase): RefreshTokenStore {
  return {
    insertFamily: (input, nowMs) =>
      groupCommit.run((tx) => insertRefreshTokenFamily(tx, input, nowMs)),
    // Its own immediate transaction: a rotation must never share a savepoint batch with others.
    rotate: (rotation, nowMs) => runSync(() => rotateRefreshToken(db, rotation, nowMs)),
    revokeFamily: (userId, familyId, nowMs) =>
      groupCommit.run((tx) => revokeRefreshFamily(tx, userId, familyId, nowMs)),
  };
}

export function postgresRefreshTokenStore({ db }: PostgresDatabase): RefreshTokenStore {
  return {
    insertFamily: (input, nowMs) => insertRefreshTokenFamilyPg(db, input, nowMs),
    rotate: (rotation, nowMs) => rotateRefreshTokenPg(db, rotation, nowMs),
    revokeFamily: (userId, familyId, nowMs) => revokeRefreshFamilyPg(db, userId, familyId, nowMs),
  };
}
