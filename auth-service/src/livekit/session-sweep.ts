import {
  closeStaleSessions,
  deleteUser,
  expireUnusedSessions,
  findExpiredGuests,
  forgetUserInAuditLog,
  pruneWebhookEvents,
  type AttuneDatabase,
} from '@attune/db';
import type { Logger } from 'pino';
import { auditIn } from '../audit/audit.ts';

/** A token may be used up to its expiry; its join webhook can take a moment longer to arrive. */
export const JOIN_GRACE_MS = 60_000;
/** LiveKit redelivers a webhook within minutes; ids are kept a week to be safe. */
export const WEBHOOK_EVENT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

export interface SweepOptions {
  tokenTtlMs: number;
  maxSessionMs: number;
  /** Guest accounts older than this are deleted with everything they own. */
  guestTtlMs: number;
}

export interface SweepResult {
  expired: number;
  timedOut: number;
  prunedEvents: number;
  deletedGuests: number;
}

/**
 * One pass: tokens nobody joined with become `expired`, sessions LiveKit never reported leaving
 * are closed `maxSessionMs` after their latest join (end reason `timeout`), old webhook ids are
 * forgotten, and guest accounts past their lifetime are deleted (their id also leaves the audit log). One transaction, off the event loop's critical path via the group commit.
 */
export function sweepSessions(database: Pick<AttuneDatabase, 'groupCommit'>, nowMs: number, options: SweepOptions): Promise<SweepResult> {
  return database.groupCommit.run((db) => ({
    expired: expireUnusedSessions(db, nowMs - options.tokenTtlMs - JOIN_GRACE_MS),
    timedOut: closeStaleSessions(db, nowMs, options.maxSessionMs),
    prunedEvents: pruneWebhookEvents(db, nowMs - WEBHOOK_EVENT_RETENTION_MS),
    deletedGuests: findExpiredGuests(db, nowMs - options.guestTtlMs).filter(({ id }) => {
      forgetUserInAuditLog(db, id);
      if (!deleteUser(db, id)) return false;
      auditIn(db, { action: 'user_deleted', actorId: null, target: null, ip: null, detail: { role: 'guest', reason: 'guest_expired' } }, nowMs);
      return true;
    }).length,
  }));
}

/**
 * Runs the sweep every `intervalMs` until stopped; a failed pass is logged and the next one tries
 * again. `stop()` resolves once a pass in progress has finished, so the database can be closed.
 */
export function startSessionSweep(
  deps: { database: Pick<AttuneDatabase, 'groupCommit'>; logger: Logger; now: () => number },
  options: SweepOptions & { intervalMs: number },
): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const pass = () => {
    running = sweepSessions(deps.database, deps.now(), options).then(
      (result) => {
        if (result.expired + result.timedOut + result.prunedEvents + result.deletedGuests > 0) deps.logger.info(result, 'session sweep');
      },
      (error: unknown) => deps.logger.error({ err: error }, 'session sweep failed'),
    );
  };
  const timer = setInterval(pass, options.intervalMs);
  timer.unref();
  pass();
  return {
    stop: () => {
      clearInterval(timer);
      return running;
    },
  };
}
