import { and, eq, isNull, ne } from 'drizzle-orm';
import { newId } from '../ids.ts';
import type { Db } from '../open-database.ts';
import { type RefreshToken, refreshTokens } from '../schema.ts';

export interface NewRefreshToken {
  userId: string;
  /** SHA-256 of the token; the token itself is never stored. */
  tokenHash: string;
  expiresAt: number;
  userAgent?: string | null;
  ip?: string | null;
}

/** Starts a new family (a signed-in device) with its first token. */
export function insertRefreshTokenFamily(
  db: Db,
  input: NewRefreshToken,
  nowMs: number,
): RefreshToken {
  const id = newId();
  return db
    .insert(refreshTokens)
    .values({ id, familyId: id, parentId: null, createdAt: nowMs, ...input })
    .returning()
    .get();
}

export type RotationResult =
  | { status: 'rotated'; token: RefreshToken }
  | { status: 'reused'; userId: string; familyId: string }
  | { status: 'revoked' | 'expired' | 'unknown' };

export interface Rotation {
  presentedHash: string;
  nextHash: string;
  nextExpiresAt: number;
  userAgent?: string | null;
  ip?: string | null;
}

/**
 * Exchanges a refresh token for its successor in one transaction. A token that was already
 * rotated is a replay (stolen or leaked): the whole family is revoked and `reused` returned.
 */
export function rotateRefreshToken(db: Db, rotation: Rotation, nowMs: number): RotationResult {
  return db.transaction(
    (tx) => {
      const presented = tx
        .select()
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, rotation.presentedHash))
        .get();
      if (!presented) return { status: 'unknown' };
      if (presented.revokedAt !== null) {
        const successor = tx
          .select({ id: refreshTokens.id })
          .from(refreshTokens)
          .where(
            and(
              eq(refreshTokens.familyId, presented.familyId),
              eq(refreshTokens.parentId, presented.id),
            ),
          )
          .get();
        // Signed out (revoked without a successor): nothing more to do. Rotated: someone replays it.
        if (!successor) return { status: 'revoked' };
        revokeRefreshFamily(tx, presented.userId, presented.familyId, nowMs);
        return { status: 'reused', userId: presented.userId, familyId: presented.familyId };
      }
      if (presented.expiresAt <= nowMs) {
        revokeRefreshFamily(tx, presented.userId, presented.familyId, nowMs);
        return { status: 'expired' };
      }
      tx.update(refreshTokens)
        .set({ revokedAt: nowMs })
        .where(eq(refreshTokens.id, presented.id))
        .run();
      const token = tx
        .insert(refreshTokens)
        .values({
          id: newId(),
          userId: presented.userId,
          tokenHash: rotation.nextHash,
          familyId: presented.familyId,
          parentId: presented.id,
          createdAt: nowMs,
          expiresAt: rotation.nextExpiresAt,
          userAgent: rotation.userAgent ?? presented.userAgent,
          ip: rotation.ip ?? presented.ip,
        })
        .returning()
        .get();
      return { status: 'rotated', token };
    },
    { behavior: 'immediate' },
  );
}

/** Revokes every live token of one of `userId`'s families; returns how many were live. */
export function revokeRefreshFamily(
  db: Db,
  userId: string,
  familyId: string,
  nowMs: number,
): number {
  return db
    .update(refreshTokens)
    .set({ revokedAt: nowMs })
    .where(
      and(
        eq(refreshTokens.userId, userId),
        eq(refreshTokens.familyId, familyId),
        isNull(refreshTokens.revokedAt),
      ),
    )
    .run().changes;
}

/**
 * Revokes every live token of all the user's families (every signed-in device), or of all but
 * `exceptFamilyId` (the device making the request); returns how many tokens were live.
 */
export function revokeUserRefreshFamilies(
  db: Db,
  userId: string,
  nowMs: number,
  exceptFamilyId?: string,
): number {
  return db
    .update(refreshTokens)
    .set({ revokedAt: nowMs })
    .where(
      and(
        eq(refreshTokens.userId, userId),
        isNull(refreshTokens.revokedAt),
        exceptFamilyId === undefined ? undefined : ne(refreshTokens.familyId, exceptFamilyId),
      ),
    )
    .run().changes;
}
