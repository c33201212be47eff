/**
 * The login throttle: failed sign-ins counted per account and client IP (a hard block of that pair
 * only) and per account from anywhere (a growing delay, never a lock). Rows are keyed by the
 * digest of the normalised email, so an email with no account is counted and answered exactly
 * like one that has an account.
 */
import { createHash } from 'node:crypto';
import { and, eq, gte, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { Db } from '../open-database.ts';
import { type LoginThrottleRow, loginThrottle } from '../schema.ts';

export interface LoginThrottlePolicy {
  /** Failures of one account from one client IP, within `lockoutMs`, that block that pair… */
  maxFailures: number;
  /** …for this long; also the window failures are counted in. */
  lockoutMs: number;
  /** Failures of one account from anywhere, within `lockoutMs`, after which every check waits. */
  accountFailures: number;
  /** The longest wait the account-wide delay (doubling from 1 s) reaches. */
  accountMaxDelayMs: number;
}

/** The first account-wide delay; each further failure doubles it up to the policy's cap. */
export const ACCOUNT_THROTTLE_BASE_DELAY_MS = 1_000;

/** SHA-256 (hex) of the normalised (trimmed, lower-case) email: what the throttle and the audit log keep. */
export function emailSha256(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
}

export interface LoginThrottleKeys {
  /** `pair:<email_sha256>:<ip_key>`: the account from one client IP. */
  pair: string;
  /** `account:<email_sha256>`: the account from anywhere. */
  account: string;
}

/** Who is signing in: the email as typed and the client's IP key (e.g. `ip:203.0.113.9`). */
export interface LoginAttemptSource {
  email: string;
  ipKey: string;
}

export function loginThrottleKeys(source: LoginAttemptSource): LoginThrottleKeys {
  const digest = emailSha256(source.email);
  return { pair: `pair:${digest}:${source.ipKey}`, account: `account:${digest}` };
}

/** Every pair key of an email sorts between these two (`;` follows `:`): a range on the primary key. */
function pairKeyRange(digest: string) {
  return and(gte(loginThrottle.key, `pair:${digest}:`), lt(loginThrottle.key, `pair:${digest};`));
}

export type LoginAttemptClaim =
  | {
      status: 'throttled';
      /** How long until an attempt may be checked again. */
      retryAfterMs: number;
      /** Which limit refused: the pair's block or the account-wide delay. */
      scope: 'pair' | 'account';
    }
  | {
      status: 'claimed';
      /** Failures of the pair in its window, this attempt included. */
      pairFailures: number;
      /** Set when this attempt reached `maxFailures`: the pair is blocked until then. */
      pairBlockedUntil: number | null;
      /** Failures of the account in its window, this attempt included. */
      accountFailures: number;
      /** Set when this attempt is past `accountFailures`: the next check waits until then. */
      accountDelayedUntil: number | null;
    };

/** How long a row's block still runs at `nowMs` (0 when none). */
const remainingBlock = (row: LoginThrottleRow | undefined, nowMs: number) =>
  row?.blockedUntil != null && row.blockedUntil > nowMs ? row.blockedUntil - nowMs : 0;

/** The row's failure count after one more failure at `nowMs` (a window that has run out starts again). */
function nextCount(row: LoginThrottleRow | undefined, policy: LoginThrottlePolicy, nowMs: number) {
  if (!row || row.windowStartedAt + policy.lockoutMs <= nowMs)
    return { failures: 1, windowStartedAt: nowMs };
  return { failures: row.failures + 1, windowStartedAt: row.windowStartedAt };
}

function readRow(db: Db, key: string): LoginThrottleRow | undefined {
  return db.select().from(loginThrottle).where(eq(loginThrottle.key, key)).get();
}

function writeRow(db: Db, row: LoginThrottleRow): void {
  db.insert(loginThrottle)
    .values(row)
    .onConflictDoUpdate({
      target: loginThrottle.key,
      set: {
        failures: row.failures,
        windowStartedAt: row.windowStartedAt,
        blockedUntil: row.blockedUntil,
      },
    })
    .run();
}

/**
 * The gate before a password check, one transaction: refuses (`throttled`, nothing written) while
 * the pair is blocked or the account-wide delay runs; otherwise counts the attempt as a failure on
 * both keys at once and answers `claimed`. Counting before the check, not after, is what holds
 * against concurrent guesses: a burst cannot all pass the gate before the first failure is
 * written. A right password takes its count back with `recordSuccessfulLoginAttempt`.
 *
 * Pair: `maxFailures` within `lockoutMs` block the pair for `lockoutMs`. Account: from the
 * `accountFailures`-th failure within `lockoutMs`, each failure makes the next check wait
 * 1 s, 2 s, 4 s … up to `accountMaxDelayMs`.
 */
export function claimLoginAttempt(
  db: Db,
  source: LoginAttemptSource,
  policy: LoginThrottlePolicy,
  nowMs: number,
): LoginAttemptClaim {
  const keys = loginThrottleKeys(source);
  return db.transaction(
    (tx): LoginAttemptClaim => {
      const pair = readRow(tx, keys.pair);
      const account = readRow(tx, keys.account);
      const pairWait = remainingBlock(pair, nowMs);
      const accountWait = remainingBlock(account, nowMs);
      if (pairWait > 0 || accountWait > 0) {
        return {
          status: 'throttled',
          retryAfterMs: Math.max(pairWait, accountWait),
          scope: pairWait >= accountWait ? 'pair' : 'account',
        };
      }
      const pairCount = nextCount(pair, policy, nowMs);
      const pairBlockedUntil =
        pairCount.failures >= policy.maxFailures ? nowMs + policy.lockoutMs : null;
      writeRow(tx, { key: keys.pair, ...pairCount, blockedUntil: pairBlockedUntil });

      const accountCount = nextCount(account, policy, nowMs);
      const beyond = accountCount.failures - policy.accountFailures;
      const accountDelayedUntil =
        beyond >= 0
          ? nowMs +
            Math.min(
              ACCOUNT_THROTTLE_BASE_DELAY_MS * 2 ** Math.min(beyond, 30),
              policy.accountMaxDelayMs,
            )
          : null;
      writeRow(tx, { key: keys.account, ...accountCount, blockedUntil: accountDelayedUntil });
      return {
        status: 'claimed',
        pairFailures: pairCount.failures,
        pairBlockedUntil,
        accountFailures: accountCount.failures,
        accountDelayedUntil,
      };
    },
    { behavior: 'immediate' },
  );
}

/**
 * The password was right: clears the pair and takes this attempt's claimed failure back from the
 * account count. The account's running delay, if any, stays: it was earned by other attempts.
 */
export function recordSuccessfulLoginAttempt(db: Db, source: LoginAttemptSource): void {
  const keys = loginThrottleKeys(source);
  db.delete(loginThrottle).where(eq(loginThrottle.key, keys.pair)).run();
  db.update(loginThrottle)
    .set({ failures: sql`max(${loginThrottle.failures} - 1, 0)` })
    .where(eq(loginThrottle.key, keys.account))
    .run();
  // An account with nothing left to count needs no row (a sign-in would otherwise leave one).
  db.delete(loginThrottle)
    .where(
      and(
        eq(loginThrottle.key, keys.account),
        eq(loginThrottle.failures, 0),
        isNull(loginThrottle.blockedUntil),
      ),
    )
    .run();
}

/**
 * Forgets every failure of the email, from every client IP and account-wide (password reset,
 * admin unlock). Returns how many rows there were.
 */
export function clearLoginThrottle(db: Db, email: string): number {
  const digest = emailSha256(email);
  return db
    .delete(loginThrottle)
    .where(or(eq(loginThrottle.key, `account:${digest}`), pairKeyRange(digest)))
    .run().changes;
}

/**
 * Until when some sign-in of the email is refused at `nowMs`: the latest block of any of its
 * pairs or of its account-wide delay; `null` when none runs. For the admin's view of a user.
 */
export function loginThrottleBlockedUntil(db: Db, email: string, nowMs: number): number | null {
  const digest = emailSha256(email);
  return (
    db
      .select({ until: sql<number | null>`max(${loginThrottle.blockedUntil})` })
      .from(loginThrottle)
      .where(
        and(
          or(eq(loginThrottle.key, `account:${digest}`), pairKeyRange(digest)),
          sql`${loginThrottle.blockedUntil} > ${nowMs}`,
        ),
      )
      .get()?.until ?? null
  );
}

/**
 * Deletes rows that no longer count: their window has run out and no block is running. Returns
 * how many. For the sweep.
 */
export function pruneLoginThrottle(db: Db, nowMs: number, windowMs: number): number {
  return db
    .delete(loginThrottle)
    .where(
      and(
        lte(loginThrottle.windowStartedAt, nowMs - windowMs),
        or(isNull(loginThrottle.blockedUntil), lte(loginThrottle.blockedUntil, nowMs)),
      ),
    )
    .run().changes;
}
