import type { AttuneDatabase } from '../open-database.ts';
import type { PostgresDatabase } from '../open-postgres.ts';
import { insertAuditEntryPg } from '../postgres/audit-log.ts';
import {
  claimLoginAttemptPg,
  clearLoginThrottlePg,
  loginThrottleBlockedUntilPg,
  pruneLoginThrottlePg,
  recordSuccessfulLoginAttemptPg,
} from '../postgres/login-throttle.ts';
import { runUnit } from '../postgres/transaction.ts';
import type { AuditFor } from '../queries/audit-builder.ts';
import { type NewAuditEntry, insertAuditEntry } from '../queries/audit-log.ts';
import {
  type LoginAttemptClaim,
  type LoginAttemptSource,
  type LoginThrottlePolicy,
  claimLoginAttempt,
  clearLoginThrottle,
  loginThrottleBlockedUntil,
  pruneLoginThrottle,
  recordSuccessfulLoginAttempt,
} from '../queries/login-throttle.ts';
import { runSync } from './run-sync.ts';

/**
 * The login throttle (queries/login-throttle.ts): failed password checks counted per (email,
 * client IP) and per email, exactly, however many replicas count at once.
 */
export interface LoginThrottleStore {
  /**
   * The gate before a password check: `throttled` (nothing counted) or `claimed` (counted as a
   * failure until `settle` takes it back). `audit` is recorded with the answer.
   */
  claim(
    source: LoginAttemptSource,
    policy: LoginThrottlePolicy,
    nowMs: number,
    audit?: AuditFor<LoginAttemptClaim>,
  ): Promise<LoginAttemptClaim>;
  /** The password was right: takes the claim back, remembers the IP (and device), records `audit`. */
  settle(source: LoginAttemptSource, nowMs: number, audit?: NewAuditEntry | null): Promise<void>;
  /**
   * Forgets the email's failures (and, unless `keepKnownSources`, its known places), recording
   * `audit` with how many rows there were; returns that number.
   */
  clear(
    email: string,
    options: { keepKnownSources?: boolean },
    nowMs: number,
    audit?: AuditFor<number>,
  ): Promise<number>;
  /** Until when some sign-in of the email is refused; `null` when none is. */
  blockedUntil(email: string, nowMs: number): Promise<number | null>;
  /** Deletes rows that no longer count (the sweep); returns how many. */
  prune(nowMs: number, windowMs: number): Promise<number>;
}

export function sqliteLoginThrottleStore({ db, groupCommit }: AttuneDatabase): LoginThrottleStore {
  return {
    claim: (source, policy, nowMs, audit) =>
      groupCommit.run((tx) => {
        const claim = claimLoginAttempt(tx, source, policy, nowMs);
        const entry = audit?.(claim);
        if (entry) insertAuditEntry(tx, entry, nowMs);
        return claim;
      }),
    settle: (source, nowMs, audit) =>
      groupCommit.run((tx) => {
        recordSuccessfulLoginAttempt(tx, source, nowMs);
        if (audit) insertAuditEntry(tx, audit, nowMs);
      }),
    clear: (email, options, nowMs, audit) =>
      groupCommit.run((tx) => {
        const rows = clearLoginThrottle(tx, email, options);
        const entry = audit?.(rows);
        if (entry) insertAuditEntry(tx, entry, nowMs);
        return rows;
      }),
    blockedUntil: (email, nowMs) => runSync(() => loginThrottleBlockedUntil(db, email, nowMs)),
    prune: (nowMs, windowMs) => groupCommit.run((tx) => pruneLoginThrottle(tx, nowMs, windowMs)),
  };
}

export function postgresLoginThrottleStore({ db }: PostgresDatabase): LoginThrottleStore {
  return {
    claim: (source, policy, nowMs, audit) =>
      runUnit(db, async (tx) => {
        const claim = await claimLoginAttemptPg(tx, source, policy, nowMs);
        const entry = audit?.(claim);
        if (entry) await insertAuditEntryPg(tx, entry, nowMs);
        return claim;
      }),
    settle: (source, nowMs, audit) =>
      runUnit(db, async (tx) => {
        await recordSuccessfulLoginAttemptPg(tx, source, nowMs);
        if (audit) await insertAuditEntryPg(tx, audit, nowMs);
      }),
    clear: (email, options, nowMs, audit) =>
      runUnit(db, async (tx) => {
        const rows = await clearLoginThrottlePg(tx, email, options);
        const entry = audit?.(rows);
        if (entry) await insertAuditEntryPg(tx, entry, nowMs);
        return rows;
      }),
    blockedUntil: (email, nowMs) => loginThrottleBlockedUntilPg(db, email, nowMs),
    prune: (nowMs, windowMs) => pruneLoginThrottlePg(db, nowMs, windowMs),
  };
}
