import { and, eq, isNull, lte, or, sql } from 'drizzle-orm';
import type { Db } from '../open-database.ts';
import { users } from '../schema.ts';

export interface LockoutPolicy {
  /** Consecutive failed logins that lock the account. */
  maxFailures: number;
  /** How long a lock lasts. */
  lockoutMs: number;
}

export interface CountedLoginFailure {
  /** Consecutive failures so far, this one included. */
  failedLogins: number;
  /** Set when this failure reached the threshold and locked the account until then. */
  lockedUntil: number | null;
}

/**
 * Counts a failed login in one UPDATE, so concurrent wrong passwords each count. Once the count
 * reaches `maxFailures` the account is locked until `nowMs + lockoutMs`. A failure on an account
 * whose lock has run out starts a fresh count. While the account is locked nothing changes (a
 * lock is not extended) and the answer is `undefined`, as it is for an unknown user id.
 */
export function recordFailedLogin(
  db: Db,
  userId: string,
  policy: LockoutPolicy,
  nowMs: number,
): CountedLoginFailure | undefined {
  const nextCount = sql`(CASE WHEN ${users.lockedUntil} IS NULL THEN ${users.failedLogins} + 1 ELSE 1 END)`;
  return db
    .update(users)
    .set({
      failedLogins: nextCount,
      lockedUntil: sql`(CASE WHEN ${nextCount} >= ${policy.maxFailures} THEN ${nowMs + policy.lockoutMs} ELSE NULL END)`,
    })
    .where(and(eq(users.id, userId), or(isNull(users.lockedUntil), lte(users.lockedUntil, nowMs))))
    .returning({ failedLogins: users.failedLogins, lockedUntil: users.lockedUntil })
    .get();
}

/** Whether the account is locked at `nowMs` (a lock ends at `locked_until`, exclusive). */
export function isAccountLocked(user: { lockedUntil: number | null }, nowMs: number): boolean {
  return user.lockedUntil !== null && user.lockedUntil > nowMs;
}
