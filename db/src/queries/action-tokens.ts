/**
 * Single-use links mailed to people (password reset, email verification, set password,
 * invitation). The token is 256 random bits that travel only in the mail; the database keeps its
 * SHA-256, so a copy of the database opens no account.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, count, eq, gt, gte, inArray, isNotNull, isNull, lte, or } from 'drizzle-orm';
import { newId } from '../ids.ts';
import type { Db } from '../open-database.ts';
import {
  type ActionToken,
  type ActionTokenPurpose,
  type UserRole,
  actionTokens,
} from '../schema.ts';

/** Used and expired tokens are kept this long after they were made (the per-address mail cap counts them). */
export const ACTION_TOKEN_RETENTION_MS = 24 * 60 * 60 * 1000;

/** SHA-256 (hex) of a token: what the database stores and looks tokens up by. */
export function hashActionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A fresh token (256 random bits, base64url) and its hash. A slow hash is not needed: nothing to brute-force. */
export function newActionToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, tokenHash: hashActionToken(token) };
}

export interface NewActionTokenInput {
  purpose: ActionTokenPurpose;
  /** The account the link acts on; null for an invitation (the account does not exist yet). */
  userId: string | null;
  /** The (normalised) address the link is mailed to. */
  email: string;
  /** The role an invitation grants; null otherwise. */
  role?: UserRole | null;
  /** How long the link works. */
  ttlMs: number;
}

/**
 * Issues a token in one transaction: the user's earlier unused tokens of the same purpose (for an
 * invitation: the address's earlier invitations) are voided, so only the latest link works.
 * Returns the token to mail (never stored) and the stored row.
 */
export function issueActionToken(
  db: Db,
  input: NewActionTokenInput,
  nowMs: number,
): { token: string; row: ActionToken } {
  const { token, tokenHash } = newActionToken();
  return db.transaction(
    (tx) => {
      tx.update(actionTokens)
        .set({ usedAt: nowMs })
        .where(
          and(
            input.userId === null
              ? and(isNull(actionTokens.userId), eq(actionTokens.email, input.email))
              : eq(actionTokens.userId, input.userId),
            eq(actionTokens.purpose, input.purpose),
            isNull(actionTokens.usedAt),
          ),
        )
        .run();
      const row = tx
        .insert(actionTokens)
        .values({
          id: newId(),
          purpose: input.purpose,
          userId: input.userId,
          email: input.email,
          role: input.role ?? null,
          tokenHash,
          createdAt: nowMs,
          expiresAt: nowMs + input.ttlMs,
          usedAt: null,
        })
        .returning()
        .get();
      return { token, row };
    },
    { behavior: 'immediate' },
  );
}

const usable = (tokenHash: string, purposes: readonly ActionTokenPurpose[], nowMs: number) =>
  and(
    eq(actionTokens.tokenHash, tokenHash),
    inArray(actionTokens.purpose, [...purposes]),
    isNull(actionTokens.usedAt),
    gt(actionTokens.expiresAt, nowMs),
  );

/** The token's row if it is of one of `purposes`, unused and unexpired; nothing is written. */
export function findUsableActionToken(
  db: Db,
  token: string,
  purposes: readonly ActionTokenPurpose[],
  nowMs: number,
): ActionToken | undefined {
  return db
    .select()
    .from(actionTokens)
    .where(usable(hashActionToken(token), purposes, nowMs))
    .get();
}

/**
 * Spends the token: one conditional UPDATE (unused, unexpired, of one of `purposes`, and mailed to
 * `email` when given), so of two concurrent uses exactly one succeeds. Returns the spent row, or
 * `undefined` for an unknown, used, voided, expired or mismatched token.
 */
export function consumeActionToken(
  db: Db,
  input: { token: string; purposes: readonly ActionTokenPurpose[]; email?: string },
  nowMs: number,
): ActionToken | undefined {
  return db
    .update(actionTokens)
    .set({ usedAt: nowMs })
    .where(
      and(
        usable(hashActionToken(input.token), input.purposes, nowMs),
        input.email === undefined ? undefined : eq(actionTokens.email, input.email),
      ),
    )
    .returning()
    .get();
}

/**
 * Voids the user's unused tokens of `purposes` (marks them used without their effect), so links
 * already mailed stop working. Returns how many it voided.
 */
export function voidUserActionTokens(
  db: Db,
  userId: string,
  purposes: readonly ActionTokenPurpose[],
  nowMs: number,
): number {
  return db
    .update(actionTokens)
    .set({ usedAt: nowMs })
    .where(
      and(
        eq(actionTokens.userId, userId),
        inArray(actionTokens.purpose, [...purposes]),
        isNull(actionTokens.usedAt),
      ),
    )
    .run().changes;
}

/** Tokens of `purpose` made for `email` since `sinceMs` (used or not): the per-address mail cap. */
export function countActionTokensSince(
  db: Db,
  input: { email: string; purpose: ActionTokenPurpose; sinceMs: number },
): number {
  return (
    db
      .select({ n: count() })
      .from(actionTokens)
      .where(
        and(
          eq(actionTokens.email, input.email),
          eq(actionTokens.purpose, input.purpose),
          gte(actionTokens.createdAt, input.sinceMs),
        ),
      )
      .get()?.n ?? 0
  );
}

/** Deletes tokens that can no longer be used (spent, voided or expired) once past the retention. For the sweep. */
export function pruneActionTokens(db: Db, nowMs: number): number {
  return db
    .delete(actionTokens)
    .where(
      and(
        or(isNotNull(actionTokens.usedAt), lte(actionTokens.expiresAt, nowMs)),
        lte(actionTokens.createdAt, nowMs - ACTION_TOKEN_RETENTION_MS),
      ),
    )
    .run().changes;
}
