/**
 * PostgreSQL's login throttle (see queries/login-throttle.ts for the rule). Replicas share the
 * rows, so every write to one email's rows first takes that email's advisory lock: a claim reads
 * the rows, decides with `planLoginAttempt` and writes, and without the lock two replicas would
 * both read 4 failures and both write 5. With it, 10 concurrent failures on one key count 10.
 * The lock stands for rows that may not exist yet, which `SELECT … FOR UPDATE` cannot lock.
 */
import { and, eq, gte, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { PgDb } from '../open-postgres.ts';
import {
  KNOWN_SOURCE_TTL_MS,
  type LoginAttemptClaim,
  type LoginAttemptSource,
  type LoginThrottlePolicy,
  emailSha256,
  loginThrottleKeys,
  planLoginAttempt,
} from '../queries/login-throttle.ts';
import { loginThrottle } from '../schema.pg.ts';
import type { LoginThrottleRow } from '../schema.ts';
import { ADVISORY_LOCK_SPACE, advisoryXactLockPg } from './advisory-locks.ts';
import type { PgTx } from './transaction.ts';

/** Holds the lock on every throttle row of `email` until the caller's transaction ends. */
export function lockLoginThrottlePg(tx: PgTx, email: string): Promise<void> {
  return advisoryXactLockPg(tx, ADVISORY_LOCK_SPACE.loginThrottle, emailSha256(email));
}

/**
 * Keys compare in byte order, as on SQLite, whatever the database's collation: the ranges below
 * rely on `;` sorting right after `:`, which a linguistic collation does not promise.
 */
const byteOrderKey = sql`${loginThrottle.key} COLLATE "C"`;

/** Every key of that kind for an email (see the SQLite `keyRange`). */
function keyRange(kind: 'pair' | 'known' | 'device', digest: string) {
  return and(gte(byteOrderKey, `${kind}:${digest}:`), lt(byteOrderKey, `${kind}:${digest};`));
}

async function writeRow(tx: PgTx, row: LoginThrottleRow): Promise<void> {
  await tx
    .insert(loginThrottle)
    .values(row)
    .onConflictDoUpdate({
      target: loginThrottle.key,
      set: {
        failures: row.failures,
        windowStartedAt: row.windowStartedAt,
        blockedUntil: row.blockedUntil,
      },
    });
}

/** PostgreSQL's `claimLoginAttempt`, inside the caller's unit: the same plan, under the email's lock. */
export async function claimLoginAttemptPg(
  tx: PgTx,
  source: LoginAttemptSource,
  policy: LoginThrottlePolicy,
  nowMs: number,
): Promise<LoginAttemptClaim> {
  await lockLoginThrottlePg(tx, source.email);
  const keys = loginThrottleKeys(source);
  const wanted = [keys.pair, keys.account, keys.knownIp];
  if (keys.knownDevice !== undefined) wanted.push(keys.knownDevice);
  const found = new Map(
    (await tx.select().from(loginThrottle).where(inArray(loginThrottle.key, wanted))).map((row) => [
      row.key,
      row,
    ]),
  );
  const plan = planLoginAttempt(
    keys,
    {
      pair: found.get(keys.pair),
      account: found.get(keys.account),
      knownIp: found.get(keys.knownIp),
      device: keys.knownDevice === undefined ? undefined : found.get(keys.knownDevice),
    },
    policy,
    nowMs,
  );
  for (const row of plan.upserts) await writeRow(tx, row);
  if (plan.deletes.length > 0)
    await tx.delete(loginThrottle).where(inArray(loginThrottle.key, plan.deletes));
  return plan.claim;
}

/** PostgreSQL's `recordSuccessfulLoginAttempt`, inside the caller's unit, under the email's lock. */
export async function recordSuccessfulLoginAttemptPg(
  tx: PgTx,
  source: LoginAttemptSource,
  nowMs: number,
): Promise<void> {
  await lockLoginThrottlePg(tx, source.email);
  const keys = loginThrottleKeys(source);
  await tx.delete(loginThrottle).where(eq(loginThrottle.key, keys.pair));
  await tx
    .update(loginThrottle)
    .set({ failures: sql`GREATEST(${loginThrottle.failures} - 1, 0)` })
    .where(eq(loginThrottle.key, keys.account));
  await tx
    .delete(loginThrottle)
    .where(
      and(
        eq(loginThrottle.key, keys.account),
        eq(loginThrottle.failures, 0),
        isNull(loginThrottle.blockedUntil),
      ),
    );
  const known = (key: string): LoginThrottleRow => ({
    key,
    failures: 0,
    windowStartedAt: nowMs,
    blockedUntil: nowMs + KNOWN_SOURCE_TTL_MS,
  });
  await writeRow(tx, known(keys.knownIp));
  if (keys.knownDevice !== undefined) await writeRow(tx, known(keys.knownDevice));
}

/** PostgreSQL's `clearLoginThrottle`, inside the caller's unit; returns how many rows there were. */
export async function clearLoginThrottlePg(
  tx: PgTx,
  email: string,
  options: { keepKnownSources?: boolean } = {},
): Promise<number> {
  await lockLoginThrottlePg(tx, email);
  const digest = emailSha256(email);
  const failures = or(eq(loginThrottle.key, `account:${digest}`), keyRange('pair', digest));
  const deleted = await tx
    .delete(loginThrottle)
    .where(
      options.keepKnownSources
        ? failures
        : or(failures, keyRange('known', digest), keyRange('device', digest)),
    )
    .returning({ key: loginThrottle.key });
  return deleted.length;
}

/** Until when some sign-in of the email is refused at `nowMs`; `null` when none is. */
export async function loginThrottleBlockedUntilPg(
  db: PgDb | PgTx,
  email: string,
  nowMs: number,
): Promise<number | null> {
  const digest = emailSha256(email);
  const [row] = await db
    .select({ until: sql<number | null>`max(${loginThrottle.blockedUntil})` })
    .from(loginThrottle)
    .where(
      and(
        or(eq(loginThrottle.key, `account:${digest}`), keyRange('pair', digest)),
        sql`${loginThrottle.blockedUntil} > ${nowMs}`,
      ),
    );
  return row?.until ?? null;
}

/** Deletes rows that no longer count (see the SQLite `pruneLoginThrottle`); returns how many. */
export async function pruneLoginThrottlePg(
  db: PgDb | PgTx,
  nowMs: number,
  windowMs: number,
): Promise<number> {
  const pruned = await db
    .delete(loginThrottle)
    .where(
      and(
        lte(loginThrottle.windowStartedAt, nowMs - windowMs),
        or(isNull(loginThrottle.blockedUntil), lte(loginThrottle.blockedUntil, nowMs)),
      ),
    )
    .returning({ key: loginThrottle.key });
  return pruned.length;
}
