import { and, eq, gt, isNull, ne } from 'drizzle-orm';
import { newId } from '../ids.ts';
import type { PgDb } from '../open-postgres.ts';
import type { NewRefreshToken, Rotation, RotationResult } from '../queries/refresh-tokens.ts';
import { refreshTokens } from '../schema.pg.ts';
import type { RefreshToken } from '../schema.ts';
import { type PgTx, runUnit } from './transaction.ts';

/** Starts a new family (a signed-in device) with its first token. */
export async function insertRefreshTokenFamilyPg(
  db: PgDb | PgTx,
  input: NewRefreshToken,
  nowMs: number,
): Promise<RefreshToken> {
  const id = newId();
  const [token] = await db
    .insert(refreshTokens)
    .values({ id, familyId: id, parentId: null, createdAt: nowMs, ...input })
    .returning();
  return token!;
}

/**
 * PostgreSQL's `rotateRefreshToken`, with the same outcomes as SQLite's. The presented token is
 * retired by a conditional update (only while it is live): of two replicas handed the same token
 * at once, exactly one retires it and issues the successor; the other's update waits for that
 * commit, then matches nothing, finds the token already rotated, and treats it as the replay it
 * is (the family is revoked).
 */
export function rotateRefreshTokenPg(
  db: PgDb,
  rotation: Rotation,
  nowMs: number,
): Promise<RotationResult> {
  return runUnit(db, async (tx): Promise<RotationResult> => {
    const [retired] = await tx
      .update(refreshTokens)
      .set({ revokedAt: nowMs })
      .where(
        and(
          eq(refreshTokens.tokenHash, rotation.presentedHash),
          isNull(refreshTokens.revokedAt),
          gt(refreshTokens.expiresAt, nowMs),
        ),
      )
      .returning();
    if (retired) {
      const [token] = await tx
        .insert(refreshTokens)
        .values({
          id: newId(),
          userId: retired.userId,
          tokenHash: rotation.nextHash,
          familyId: retired.familyId,
          parentId: retired.id,
          createdAt: nowMs,
          expiresAt: rotation.nextExpiresAt,
          userAgent: rotation.userAgent ?? retired.userAgent,
          ip: rotation.ip ?? retired.ip,
        })
        .returning();
      return { status: 'rotated', token: token! };
    }
    const [presented] = await tx
      .select()
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, rotation.presentedHash));
    if (!presented) return { status: 'unknown' };
    if (presented.revokedAt === null) {
      // Live but not retired above: it has expired.
      await revokeRefreshFamilyPg(tx, presented.userId, presented.familyId, nowMs);
      return { status: 'expired' };
    }
    const [successor] = await tx
      .select({ id: refreshTokens.id })
      .from(refreshTokens)
      .where(
        and(
          eq(refreshTokens.familyId, presented.familyId),
          eq(refreshTokens.parentId, presented.id),
        ),
      );
    // Signed out (revoked without a successor): nothing more to do. Rotated: someone replays it.
    if (!successor) return { status: 'revoked' };
    await revokeRefreshFamilyPg(tx, presented.userId, presented.familyId, nowMs);
    return { status: 'reused', userId: presented.userId, familyId: presented.familyId };
  });
}

/** Revokes every live token of one of `userId`'s families; returns how many were live. */
export async function revokeRefreshFamilyPg(
  db: PgDb | PgTx,
  userId: string,
  familyId: string,
  nowMs: number,
): Promise<number> {
  const revoked = await db
    .update(refreshTokens)
    .set({ revokedAt: nowMs })
    .where(
      and(
        eq(refreshTokens.userId, userId),
        eq(refreshTokens.familyId, familyId),
        isNull(refreshTokens.revokedAt),
      ),
    )
    .returning({ id: refreshTokens.id });
  return revoked.length;
}

/**
 * Revokes every live token of all the user's families (every signed-in device), or of all but
 * `exceptFamilyId`; returns how many tokens were live.
 */
export async function revokeUserRefreshFamiliesPg(
  db: PgDb | PgTx,
  userId: string,
  nowMs: number,
  exceptFamilyId?: string,
): Promise<number> {
  const revoked = await db
    .update(refreshTokens)
    .set({ revokedAt: nowMs })
    .where(
      and(
        eq(refreshTokens.userId, userId),
        isNull(refreshTokens.revokedAt),
        exceptFamilyId === undefined ? undefined : ne(refreshTokens.familyId, exceptFamilyId),
      ),
    )
    .returning({ id: refreshTokens.id });
  return revoked.length;
}
