import { sql } from 'drizzle-orm';
import type { PgTx } from './transaction.ts';

/**
 * The first key of PostgreSQL's two-key transaction-level advisory locks, one per kind of thing a
 * unit serialises on when there is no row to lock (a count across rows, a row that may not exist
 * yet). Arbitrary constants, the same in every version; the migration lock uses the one-key form,
 * a separate space.
 */
export const ADVISORY_LOCK_SPACE = {
  /** The MAX_USERS count: every unit that may add a non-guest account. */
  userLimit: 0x41540001,
  /** One email's login-throttle rows (pair, account, known IPs and devices). */
  loginThrottle: 0x41540002,
  /** One address's (or user's) mailed links of one purpose: the hourly cap and "only the latest works". */
  actionTokens: 0x41540003,
  /** The session sweep: one replica sweeps at a time, the others skip their pass. */
  sessionSweep: 0x41540004,
} as const;

/**
 * Waits for, then holds until the transaction ends, the advisory lock on (`space`, `key`). The
 * key is hashed to 32 bits: two keys that collide only wait for each other, never break anything.
 * Under READ COMMITTED every statement after it sees what the previous holder committed.
 */
export async function advisoryXactLockPg(tx: PgTx, space: number, key: string): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${space}::int4, hashtext(${key}))`);
}

/**
 * Takes the advisory lock on (`space`, `key`) for the rest of the transaction if nobody holds it,
 * without waiting: false when another transaction does (for work one replica does for all).
 */
export async function tryAdvisoryXactLockPg(
  tx: PgTx,
  space: number,
  key: string,
): Promise<boolean> {
  const result = await tx.execute<{ locked: boolean }>(
    sql`SELECT pg_try_advisory_xact_lock(${space}::int4, hashtext(${key})) AS locked`,
  );
  return result.rows[0]?.locked === true;
}
