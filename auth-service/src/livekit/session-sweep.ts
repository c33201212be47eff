import type { Logger } from 'pino';
import type { AttuneStore } from '@attune/db';
import type { AuditRecord } from '../audit/audit.ts';
import type { Config } from '../config/config.ts';
import {
  type RemovalReport,
  type RemovalTarget,
  removeParticipants,
} from './participant-removal.ts';

/** A token may be used up to its expiry; its join webhook can take a moment longer to arrive. */
export const JOIN_GRACE_MS = 60_000;
/** LiveKit redelivers a webhook within minutes; ids are kept a week to be safe. */
export const WEBHOOK_EVENT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

export interface SweepOptions {
  tokenTtlMs: number;
  maxSessionMs: number;
  /** Guest accounts older than this are deleted with everything they own. */
  guestTtlMs: number;
  /** The login throttle's counting window (LOGIN_LOCKOUT_MINUTES): rows past it are forgotten. */
  loginThrottleWindowMs: number;
}

export interface SweepResult {
  expired: number;
  timedOut: number;
  prunedEvents: number;
  deletedGuests: number;
  /** Mailed links spent, voided or expired, deleted once past their retention. */
  prunedActionTokens: number;
  /** Login throttle rows whose window and block are over. */
  prunedThrottleRows: number;
  /** Rooms the deleted guests may still be talking in, to remove them from after the commit. */
  deletedGuestRooms: RemovalTarget[];
  /** Another replica was sweeping (PostgreSQL): this pass did nothing. */
  skipped: boolean;
}

const GUEST_EXPIRED: AuditRecord = {
  action: 'user_deleted',
  actorId: null,
  target: null,
  ip: null,
  detail: { role: 'guest', reason: 'guest_expired' },
};

/**
 * One pass: tokens nobody joined with become `expired`, sessions LiveKit never reported leaving
 * are closed `maxSessionMs` after their latest join (end reason `timeout`), old webhook ids are
 * forgotten, guest accounts past their lifetime are deleted (their id also leaves the audit log),
 * and used or expired mailed links and stale login-throttle rows are deleted. One unit of the
 * store (on SQLite off the event loop's critical path via the group commit; on PostgreSQL one
 * replica at a time, the others skip).
 */
export async function sweepSessions(
  store: Pick<AttuneStore, 'sessionSweep'>,
  nowMs: number,
  options: SweepOptions,
): Promise<SweepResult> {
  const outcome = await store.sessionSweep.sweep(
    nowMs,
    {
      unusedIssuedBefore: nowMs - options.tokenTtlMs - JOIN_GRACE_MS,
      maxSessionMs: options.maxSessionMs,
      webhookEventsBefore: nowMs - WEBHOOK_EVENT_RETENTION_MS,
      guestsCreatedBefore: nowMs - options.guestTtlMs,
      liveTokensIssuedAfter: nowMs - options.tokenTtlMs,
      loginThrottleWindowMs: options.loginThrottleWindowMs,
    },
    GUEST_EXPIRED,
  );
  return {
    expired: outcome.expired,
    timedOut: outcome.timedOut,
    prunedEvents: outcome.prunedEvents,
    deletedGuests: outcome.deletedGuests,
    prunedActionTokens: outcome.prunedActionTokens,
    prunedThrottleRows: outcome.prunedThrottleRows,
    deletedGuestRooms: outcome.deletedGuestRooms.map((s) => ({
      roomName: s.roomName,
      identity: s.participantIdentity,
    })),
    skipped: outcome.skipped,
  };
}

/** The sweep's settings as the configuration gives them (the timer and POST /admin/cleanup). */
export function sweepOptionsOf(
  config: Pick<Config, 'livekit' | 'sessions' | 'guests' | 'lockout'>,
): SweepOptions {
  return {
    tokenTtlMs: config.livekit.tokenTtlMs,
    maxSessionMs: config.sessions.maxSessionMs,
    guestTtlMs: config.guests.ttlMs,
    loginThrottleWindowMs: config.lockout.lockoutMs,
  };
}

export interface SweepPass {
  result: Omit<SweepResult, 'deletedGuestRooms' | 'skipped'>;
  /** Another replica was sweeping (PostgreSQL): this pass did nothing. */
  skipped: boolean;
  /** What LiveKit said when the deleted guests were removed from their rooms; null: none was in one. */
  removal: RemovalReport | null;
}

/**
 * One whole pass, as the timer and POST /admin/cleanup run it: the sweep's unit, then the
 * deleted guests still in a room are removed from it (after the commit, so a hung LiveKit never
 * holds the write).
 */
export async function runSweepPass(
  deps: { store: Pick<AttuneStore, 'sessionSweep'>; config: Pick<Config, 'livekit'> },
  nowMs: number,
  options: SweepOptions,
): Promise<SweepPass> {
  const { deletedGuestRooms, skipped, ...result } = await sweepSessions(deps.store, nowMs, options);
  const removal =
    deletedGuestRooms.length === 0
      ? null
      : await removeParticipants(deps.config.livekit, deletedGuestRooms);
  return { result, skipped, removal };
}

/**
 * Runs the sweep every `intervalMs` until stopped; a failed pass is logged and the next one tries
 * again. `stop()` resolves once a pass in progress has finished, so the database can be closed.
 */
export function startSessionSweep(
  deps: {
    store: Pick<AttuneStore, 'sessionSweep'>;
    logger: Logger;
    now: () => number;
    config: Pick<Config, 'livekit'>;
  },
  options: SweepOptions & { intervalMs: number },
): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const pass = () => {
    running = runSweepPass(deps, deps.now(), options).then(
      ({ result, skipped, removal }) => {
        if (skipped) deps.logger.debug('session sweep skipped: another replica is sweeping');
        if (Object.values(result).some((n) => n > 0)) deps.logger.info(result, 'session sweep');
        // Expired guests still in a room are removed from it; an unreachable LiveKit is logged.
        if (removal && removal.failed.length > 0)
          deps.logger.warn(
            { failed: removal.failed.length },
            'could not remove expired guests from their rooms',
          );
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
