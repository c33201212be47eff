/**
 * The login throttle: failed sign-ins counted per account and client IP (a hard block of that pair
 * only) and per account from anywhere (a growing delay, never a lock). Rows are keyed by the
 * digest of the normalised email, so an email with no account is counted and answered exactly
 * like one that has an account.
 *
 * The account-wide delay alone could keep the owner out for good: an attacker re-arms it with one
 * new failure each time it ends, and it refuses everyone. So the throttle also remembers where the
 * account signed in successfully — a known client IP (`known:` row) and a known browser (`device:`
 * row, the digest of a random id in an httpOnly cookie) — and those skip the account-wide delay.
 * Each stays bounded by its own counter: a known IP by its pair block, a known device by
 * forgetting it after `maxFailures` wrong passwords. Such rows exist only for an account that
 * really signed in, from that IP or that browser, so they reveal nothing to anyone else.
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

/**
 * How long a place the account signed in from stays known after its last successful sign-in
 * (each success refreshes it; the sweep deletes it once it has run out).
 */
export const KNOWN_SOURCE_TTL_MS = 30 * 24 * 60 * 60_000;

export interface LoginThrottleKeys {
  /** `pair:<email_sha256>:<ip_key>`: the account from one client IP. */
  pair: string;
  /** `account:<email_sha256>`: the account from anywhere. */
  account: string;
  /** `known:<email_sha256>:<ip_key>`: present while the account has signed in from this IP lately. */
  knownIp: string;
  /** `device:<email_sha256>:<device_key>`: present while the account has signed in from this browser lately. */
  knownDevice?: string;
}

/** Who is signing in: the email as typed and the client's IP key (e.g. `ip:203.0.113.9`). */
export interface LoginAttemptSource {
  email: string;
  ipKey: string;
  /** The digest of the browser's known-device id, when it presented one (see known-device cookie). */
  deviceKey?: string;
}

export function loginThrottleKeys(source: LoginAttemptSource): LoginThrottleKeys {
  const digest = emailSha256(source.email);
  const keys: LoginThrottleKeys = {
    pair: `pair:${digest}:${source.ipKey}`,
    account: `account:${digest}`,
    knownIp: `known:${digest}:${source.ipKey}`,
  };
  if (source.deviceKey !== undefined) keys.knownDevice = `device:${digest}:${source.deviceKey}`;
  return keys;
}

type KeyKind = 'pair' | 'known' | 'device';

/** Every key of that kind for an email sorts between these two (`;` follows `:`): a range on the primary key. */
function keyRange(kind: KeyKind, digest: string) {
  return and(
    gte(loginThrottle.key, `${kind}:${digest}:`),
    lt(loginThrottle.key, `${kind}:${digest};`),
  );
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
      /** Which known place let this attempt past a block or delay it would otherwise have met. */
      knownSource: 'ip' | 'device' | null;
      /** Failures of the pair in its window, this attempt included. */
      pairFailures: number;
      /** Set when this attempt reached `maxFailures`: the pair is blocked until then. */
      pairBlockedUntil: number | null;
      /** Failures of the account in its window, this attempt included. */
      accountFailures: number;
      /** Set when this attempt is past `accountFailures`: the next check waits until then. */
      accountDelayedUntil: number | null;
    };

/** Whether a known-IP or known-device row still counts at `nowMs` (its `blockedUntil` is its expiry). */
const stillKnown = (row: LoginThrottleRow | undefined, nowMs: number) =>
  row?.blockedUntil != null && row.blockedUntil > nowMs;

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

/** The throttle rows one attempt reads (absent when the key has none). */
export interface LoginAttemptRows {
  pair: LoginThrottleRow | undefined;
  account: LoginThrottleRow | undefined;
  knownIp: LoginThrottleRow | undefined;
  /** Read only when the browser presented a device id. */
  device: LoginThrottleRow | undefined;
}

/** What a claim decided and the rows it writes: both engines apply the same plan. */
export interface LoginAttemptPlan {
  claim: LoginAttemptClaim;
  /** Rows to insert or replace whole, in this order. */
  upserts: LoginThrottleRow[];
  /** Keys to delete after the upserts. */
  deletes: string[];
}

/**
 * The throttle's rule for one attempt, on the rows as they are (see `claimLoginAttempt`), with no
 * database access: SQLite and PostgreSQL read the rows their own way, under their own lock, and
 * write what this returns.
 */
export function planLoginAttempt(
  keys: LoginThrottleKeys,
  rows: LoginAttemptRows,
  policy: LoginThrottlePolicy,
  nowMs: number,
): LoginAttemptPlan {
  const { pair, account, device } = rows;
  const knownDevice =
    device !== undefined && stillKnown(device, nowMs) && device.failures < policy.maxFailures;
  const knownIp = !knownDevice && stillKnown(rows.knownIp, nowMs);
  const pairBlock = remainingBlock(pair, nowMs);
  const accountDelay = remainingBlock(account, nowMs);
  const pairWait = knownDevice ? 0 : pairBlock;
  const accountWait = knownDevice || knownIp ? 0 : accountDelay;
  if (pairWait > 0 || accountWait > 0) {
    return {
      claim: {
        status: 'throttled',
        retryAfterMs: Math.max(pairWait, accountWait),
        scope: pairWait >= accountWait ? 'pair' : 'account',
      },
      upserts: [],
      deletes: [],
    };
  }
  const knownSource =
    knownDevice && (pairBlock > 0 || accountDelay > 0)
      ? 'device'
      : knownIp && accountDelay > 0
        ? 'ip'
        : null;
  const upserts: LoginThrottleRow[] = [];
  const deletes: string[] = [];

  const pairCount = nextCount(pair, policy, nowMs);
  const pairBlockedUntil =
    pairBlock > 0
      ? (pair?.blockedUntil ?? null) // a known device got past it: the block neither ends nor grows
      : pairCount.failures >= policy.maxFailures
        ? nowMs + policy.lockoutMs
        : null;
  upserts.push({ key: keys.pair, ...pairCount, blockedUntil: pairBlockedUntil });

  const accountCount = nextCount(account, policy, nowMs);
  const beyond = accountCount.failures - policy.accountFailures;
  const accountDelayedUntil =
    knownDevice || knownIp
      ? (account?.blockedUntil ?? null)
      : beyond >= 0
        ? nowMs +
          Math.min(
            ACCOUNT_THROTTLE_BASE_DELAY_MS * 2 ** Math.min(beyond, 30),
            policy.accountMaxDelayMs,
          )
        : null;
  upserts.push({ key: keys.account, ...accountCount, blockedUntil: accountDelayedUntil });

  if (knownDevice && device) {
    // Counted until the password is found right; the last allowed wrong one forgets the device.
    if (device.failures + 1 >= policy.maxFailures) deletes.push(device.key);
    else upserts.push({ ...device, failures: device.failures + 1 });
  }
  return {
    claim: {
      status: 'claimed',
      knownSource,
      pairFailures: pairCount.failures,
      pairBlockedUntil: pairBlock > 0 ? null : pairBlockedUntil,
      accountFailures: accountCount.failures,
      accountDelayedUntil: knownDevice || knownIp ? null : accountDelayedUntil,
    },
    upserts,
    deletes,
  };
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
 *
 * Known places (see the module comment): a known IP skips the account-wide delay but not its
 * pair's block; a known device skips both, and counts its own failures instead — the
 * `maxFailures`-th without a success in between forgets the device. A known place's failure is
 * still counted on the account but does not lengthen the delay everyone else waits: its guesses
 * are bounded by its own counter.
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
      const rows: LoginAttemptRows = {
        pair: readRow(tx, keys.pair),
        account: readRow(tx, keys.account),
        knownIp: readRow(tx, keys.knownIp),
        device: keys.knownDevice === undefined ? undefined : readRow(tx, keys.knownDevice),
      };
      const plan = planLoginAttempt(keys, rows, policy, nowMs);
      for (const row of plan.upserts) writeRow(tx, row);
      for (const key of plan.deletes)
        tx.delete(loginThrottle).where(eq(loginThrottle.key, key)).run();
      return plan.claim;
    },
    { behavior: 'immediate' },
  );
}

/** Writes a known-place row valid `KNOWN_SOURCE_TTL_MS` from `nowMs`, with no failures. */
function rememberKnownSource(db: Db, key: string, nowMs: number): void {
  writeRow(db, {
    key,
    failures: 0,
    windowStartedAt: nowMs,
    blockedUntil: nowMs + KNOWN_SOURCE_TTL_MS,
  });
}

/**
 * The password was right: clears the pair, takes this attempt's claimed failure back from the
 * account count, and remembers (or refreshes for `KNOWN_SOURCE_TTL_MS`) the client IP — and the
 * browser, if it presented a device id — as places the account signs in from. The account's
 * running delay, if any, stays: it was earned by other attempts.
 */
export function recordSuccessfulLoginAttempt(
  db: Db,
  source: LoginAttemptSource,
  nowMs: number,
): void {
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
  rememberKnownSource(db, keys.knownIp, nowMs);
  if (keys.knownDevice !== undefined) rememberKnownSource(db, keys.knownDevice, nowMs);
}

/**
 * Forgets every failure of the email, from every client IP and account-wide, and — unless
 * `keepKnownSources` — every IP and browser it is known to sign in from. Returns how many rows
 * there were.
 *
 * A new password by mailed link (reset, set-password) forgets the known places too: after a
 * compromise some may be the attacker's. An admin unlock keeps them (`keepKnownSources: true`):
 * it is asked for to let the owner in, and forgetting where the owner signs in from would only
 * help whoever keeps the account-wide delay running.
 */
export function clearLoginThrottle(
  db: Db,
  email: string,
  options: { keepKnownSources?: boolean } = {},
): number {
  const digest = emailSha256(email);
  const failures = or(eq(loginThrottle.key, `account:${digest}`), keyRange('pair', digest));
  return db
    .delete(loginThrottle)
    .where(
      options.keepKnownSources
        ? failures
        : or(failures, keyRange('known', digest), keyRange('device', digest)),
    )
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
          or(eq(loginThrottle.key, `account:${digest}`), keyRange('pair', digest)),
          sql`${loginThrottle.blockedUntil} > ${nowMs}`,
        ),
      )
      .get()?.until ?? null
  );
}

/**
 * Deletes rows that no longer count: their window has run out and no block is running — for a
 * known IP or device, whose `blockedUntil` is its expiry, once it has expired. Returns how many.
 * For the sweep.
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
