import { and, count, eq, gt, gte, inArray, isNotNull, isNull, lte, or } from 'drizzle-orm';
import { newId } from '../ids.ts';
import type { PgDb } from '../open-postgres.ts';
import {
  ACTION_TOKEN_RETENTION_MS,
  type NewActionTokenInput,
  hashActionToken,
  newActionToken,
} from '../queries/action-tokens.ts';
import { actionTokens } from '../schema.pg.ts';
import type { ActionToken, ActionTokenPurpose } from '../schema.ts';
import { ADVISORY_LOCK_SPACE, advisoryXactLockPg } from './advisory-locks.ts';
import type { PgTx } from './transaction.ts';

/**
 * Holds, for the caller's transaction, the lock on the links of `purpose` mailed to `email` and
 * (when given) of `userId`: issuing one voids the earlier ones and counts them for the hourly cap,
 * and two replicas doing both at once would each leave a live link or each pass the cap. Always
 * the address first, then the user, so two units never wait on each other in a circle.
 */
export async function lockActionTokensPg(
  tx: PgTx,
  input: { purpose: ActionTokenPurpose; email: string; userId: string | null },
): Promise<void> {
  await advisoryXactLockPg(
    tx,
    ADVISORY_LOCK_SPACE.actionTokens,
    `email:${input.purpose}:${input.email}`,
  );
  if (input.userId !== null)
    await advisoryXactLockPg(
      tx,
      ADVISORY_LOCK_SPACE.actionTokens,
      `user:${input.purpose}:${input.userId}`,
    );
}

/**
 * PostgreSQL's `issueActionToken`, inside the caller's unit (which holds `lockActionTokensPg`):
 * voids the earlier unused tokens of the purpose and inserts a new one.
 */
export async function issueActionTokenPg(
  tx: PgTx,
  input: NewActionTokenInput,
  nowMs: number,
): Promise<{ token: string; row: ActionToken }> {
  const { token, tokenHash } = newActionToken();
  await tx
    .update(actionTokens)
    .set({ usedAt: nowMs })
    .where(
      and(
        input.userId === null
          ? and(isNull(actionTokens.userId), eq(actionTokens.email, input.email))
          : eq(actionTokens.userId, input.userId),
        eq(actionTokens.purpose, input.purpose),
        isNull(actionTokens.usedAt),
      ),
    );
  const [row] = await tx
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
    .returning();
  return { token, row: row! };
}

const usable = (tokenHash: string, purposes: readonly ActionTokenPurpose[], nowMs: number) =>
  and(
    eq(actionTokens.tokenHash, tokenHash),
    inArray(actionTokens.purpose, [...purposes]),
    isNull(actionTokens.usedAt),
    gt(actionTokens.expiresAt, nowMs),
  );

/** The token's row if it is of one of `purposes`, unused and unexpired; nothing is written. */
export async function findUsableActionTokenPg(
  db: PgDb | PgTx,
  token: string,
  purposes: readonly ActionTokenPurpose[],
  nowMs: number,
): Promise<ActionToken | undefined> {
  const [row] = await db
    .select()
    .from(actionTokens)
    .where(usable(hashActionToken(token), purposes, nowMs));
  return row;
}

/**
 * PostgreSQL's `consumeActionToken`: one conditional UPDATE. Of two replicas spending one token
 * at once, the second waits for the first's row lock, then finds it used and matches nothing.
 */
export async function consumeActionTokenPg(
  db: PgDb | PgTx,
  input: { token: string; purposes: readonly ActionTokenPurpose[]; email?: string },
  nowMs: number,
): Promise<ActionToken | undefined> {
  const [row] = await db
    .update(actionTokens)
    .set({ usedAt: nowMs })
    .where(
      and(
        usable(hashActionToken(input.token), input.purposes, nowMs),
        input.email === undefined ? undefined : eq(actionTokens.email, input.email),
      ),
    )
    .returning();
  return row;
}

/** Voids the user's unused tokens of `purposes`; returns how many it voided. */
export async function voidUserActionTokensPg(
  db: PgDb | PgTx,
  userId: string,
  purposes: readonly ActionTokenPurpose[],
  nowMs: number,
): Promise<number> {
  const voided = await db
    .update(actionTokens)
    .set({ usedAt: nowMs })
    .where(
      and(
        eq(actionTokens.userId, userId),
        inArray(actionTokens.purpose, [...purposes]),
        isNull(actionTokens.usedAt),
      ),
    )
    .returning({ id: actionTokens.id });
  return voided.length;
}

/** Tokens of `purpose` made for `email` since `sinceMs` (used or not): the per-address mail cap. */
export async function countActionTokensSincePg(
  db: PgDb | PgTx,
  input: { email: string; purpose: ActionTokenPurpose; sinceMs: number },
): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(actionTokens)
    .where(
      and(
        eq(actionTokens.email, input.email),
        eq(actionTokens.purpose, input.purpose),
        gte(actionTokens.createdAt, input.sinceMs),
      ),
    );
  return row?.n ?? 0;
}

/** Deletes tokens that can no longer be used once past the retention. For the sweep. */
export async function pruneActionTokensPg(db: PgDb | PgTx, nowMs: number): Promise<number> {
  const pruned = await db
    .delete(actionTokens)
    .where(
      and(
        or(isNotNull(actionTokens.usedAt), lte(actionTokens.expiresAt, nowMs)),
        lte(actionTokens.createdAt, nowMs - ACTION_TOKEN_RETENTION_MS),
      ),
    )
    .returning({ id: actionTokens.id });
  return pruned.length;
}
