import type { AttuneDatabase, Db } from '../open-database.ts';
import type { PostgresDatabase } from '../open-postgres.ts';
import { pruneActionTokensPg } from '../postgres/action-tokens.ts';
import { findLiveSessionsPg } from '../postgres/admin.ts';
import { ADVISORY_LOCK_SPACE, tryAdvisoryXactLockPg } from '../postgres/advisory-locks.ts';
import { forgetUserInAuditLogPg, insertAuditEntryPg } from '../postgres/audit-log.ts';
import { pruneLoginThrottlePg } from '../postgres/login-throttle.ts';
import {
  closeStaleSessionsPg,
  expireUnusedSessionsPg,
  pruneWebhookEventsPg,
} from '../postgres/session-timeline.ts';
import { type PgTx, runUnit } from '../postgres/transaction.ts';
import { deleteUserPg, findExpiredGuestsPg } from '../postgres/users.ts';
import { pruneActionTokens } from '../queries/action-tokens.ts';
import { findLiveSessions } from '../queries/admin.ts';
import {
  type NewAuditEntry,
  forgetUserInAuditLog,
  insertAuditEntry,
} from '../queries/audit-log.ts';
import { pruneLoginThrottle } from '../queries/login-throttle.ts';
import {
  closeStaleSessions,
  expireUnusedSessions,
  pruneWebhookEvents,
} from '../queries/session-timeline.ts';
import { deleteUser, findExpiredGuests } from '../queries/users.ts';
import type { UserSession } from '../schema.ts';

/** Where one sweep draws its lines, all computed by the caller from its settings. */
export interface SweepCutoffs {
  /** `issued` sessions issued before this become `expired` (`token_unused`). */
  unusedIssuedBefore: number;
  /** Sessions in progress end this long after their latest join (`timeout`). */
  maxSessionMs: number;
  /** Webhook ids received before this are forgotten. */
  webhookEventsBefore: number;
  /** Guest accounts created before this are deleted with everything they own. */
  guestsCreatedBefore: number;
  /** A deleted guest's tokens issued after this may still admit it into a room. */
  liveTokensIssuedAfter: number;
  /** The login throttle's counting window: rows past it (and past any block) are deleted. */
  loginThrottleWindowMs: number;
}

export interface SweepOutcome {
  /** Another replica was sweeping (PostgreSQL): this pass did nothing, and every count is 0. */
  skipped: boolean;
  expired: number;
  timedOut: number;
  prunedEvents: number;
  deletedGuests: number;
  prunedActionTokens: number;
  prunedThrottleRows: number;
  /** Where the deleted guests may still be talking, to remove them from after the commit. */
  deletedGuestRooms: Pick<UserSession, 'roomName' | 'participantIdentity'>[];
}

/** The periodic clean-up of sessions, guests and expired bookkeeping. */
export interface SessionSweepStore {
  /**
   * One pass as one unit: tokens nobody joined with expire, sessions never reported left are
   * closed, old webhook ids, spent mailed links and stale throttle rows are deleted, and guests
   * past their lifetime are deleted (their id leaves the audit log; `guestDeleted` is recorded
   * for each). On PostgreSQL one replica sweeps at a time: a pass that finds another one running
   * is `skipped` rather than waiting to redo the same work.
   */
  sweep(nowMs: number, cutoffs: SweepCutoffs, guestDeleted: NewAuditEntry): Promise<SweepOutcome>;
}

const liveRoom = ({ roomName, participantIdentity }: UserSession) => ({
  roomName,
  participantIdentity,
});

function sweepSqlite(
  db: Db,
  nowMs: number,
  cutoffs: SweepCutoffs,
  guestDeleted: NewAuditEntry,
): SweepOutcome {
  const deletedGuestRooms: SweepOutcome['deletedGuestRooms'] = [];
  let deletedGuests = 0;
  for (const { id } of findExpiredGuests(db, cutoffs.guestsCreatedBefore)) {
    const live = findLiveSessions(db, id, cutoffs.liveTokensIssuedAfter);
    forgetUserInAuditLog(db, id);
    if (!deleteUser(db, id)) continue;
    deletedGuests += 1;
    deletedGuestRooms.push(...live.map(liveRoom));
    insertAuditEntry(db, guestDeleted, nowMs);
  }
  return {
    skipped: false,
    expired: expireUnusedSessions(db, cutoffs.unusedIssuedBefore),
    timedOut: closeStaleSessions(db, nowMs, cutoffs.maxSessionMs),
    prunedEvents: pruneWebhookEvents(db, cutoffs.webhookEventsBefore),
    deletedGuests,
    prunedActionTokens: pruneActionTokens(db, nowMs),
    prunedThrottleRows: pruneLoginThrottle(db, nowMs, cutoffs.loginThrottleWindowMs),
    deletedGuestRooms,
  };
}

async function sweepPg(
  tx: PgTx,
  nowMs: number,
  cutoffs: SweepCutoffs,
  guestDeleted: NewAuditEntry,
): Promise<SweepOutcome> {
  const deletedGuestRooms: SweepOutcome['deletedGuestRooms'] = [];
  let deletedGuests = 0;
  for (const { id } of await findExpiredGuestsPg(tx, cutoffs.guestsCreatedBefore)) {
    const live = await findLiveSessionsPg(tx, id, cutoffs.liveTokensIssuedAfter);
    await forgetUserInAuditLogPg(tx, id);
    if (!(await deleteUserPg(tx, id))) continue;
    deletedGuests += 1;
    deletedGuestRooms.push(...live.map(liveRoom));
    await insertAuditEntryPg(tx, guestDeleted, nowMs);
  }
  return {
    skipped: false,
    expired: await expireUnusedSessionsPg(tx, cutoffs.unusedIssuedBefore),
    timedOut: await closeStaleSessionsPg(tx, nowMs, cutoffs.maxSessionMs),
    prunedEvents: await pruneWebhookEventsPg(tx, cutoffs.webhookEventsBefore),
    deletedGuests,
    prunedActionTokens: await pruneActionTokensPg(tx, nowMs),
    prunedThrottleRows: await pruneLoginThrottlePg(tx, nowMs, cutoffs.loginThrottleWindowMs),
    deletedGuestRooms,
  };
}

const SKIPPED: SweepOutcome = {
  skipped: true,
  expired: 0,
  timedOut: 0,
  prunedEvents: 0,
  deletedGuests: 0,
  prunedActionTokens: 0,
  prunedThrottleRows: 0,
  deletedGuestRooms: [],
};

/** SQLite: one piece of work of the group commit; one process owns the file, so never skipped. */
export function sqliteSessionSweepStore({ groupCommit }: AttuneDatabase): SessionSweepStore {
  return {
    sweep: (nowMs, cutoffs, guestDeleted) =>
      groupCommit.run((db) => sweepSqlite(db, nowMs, cutoffs, guestDeleted)),
  };
}

/**
 * PostgreSQL: every replica runs the sweep's timer, but one pass at a time does the work. The
 * unit first tries the sweep's advisory lock without waiting; a replica that finds it held skips
 * (the holder is doing the same work), instead of queueing to delete what is already gone or
 * deadlocking with it on the same rows.
 */
export function postgresSessionSweepStore({ db }: PostgresDatabase): SessionSweepStore {
  return {
    sweep: (nowMs, cutoffs, guestDeleted) =>
      runUnit(db, async (tx) => {
        if (!(await tryAdvisoryXactLockPg(tx, ADVISORY_LOCK_SPACE.sessionSweep, 'sweep')))
          return { ...SKIPPED, deletedGuestRooms: [] };
        return sweepPg(tx, nowMs, cutoffs, guestDeleted);
      }),
  };
}
