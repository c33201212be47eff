import { and, count, eq, inArray, isNotNull, isNull, ne, sql } from 'drizzle-orm';
import { newId } from '../ids.ts';
import type { Db } from '../open-database.ts';
import { prepared } from '../prepared.ts';
import { type UserSession, userSessions } from '../schema.ts';
import { durationSecondsSql } from '../sql-fragments.ts';
import { claimRoom } from './rooms.ts';

export interface NewUserSession {
  userId: string;
  roomName: string;
  participantIdentity: string;
}

const activeSessionsOfUser = (db: Db) =>
  db
    .select({ n: count() })
    .from(userSessions)
    .where(
      and(
        eq(userSessions.userId, sql.placeholder('userId')),
        eq(userSessions.status, 'active'),
        ne(userSessions.id, sql.placeholder('exceptSessionId')),
      ),
    )
    .prepare();

const insertIssuedSession = (db: Db) =>
  db
    .insert(userSessions)
    .values({
      id: sql.placeholder('id'),
      userId: sql.placeholder('userId'),
      roomName: sql.placeholder('roomName'),
      participantIdentity: sql.placeholder('participantIdentity'),
      issuedAt: sql.placeholder('issuedAt'),
      status: 'issued',
    })
    .returning()
    .prepare();

/** One row per LiveKit token minted, status `issued` until LiveKit reports the join. */
export function insertUserSession(db: Db, input: NewUserSession, nowMs: number): UserSession {
  return prepared(db, insertIssuedSession).get({ id: newId(), ...input, issuedAt: nowMs });
}

/**
 * Claims the room for the user (or confirms they own it) and records the issued session.
 * `undefined` when the room belongs to someone else; nothing is written then. Run it inside a
 * transaction (the group commit gives each piece of work a savepoint), so that a failed insert
 * leaves no claimed room behind.
 */
export function openUserSession(
  db: Db,
  input: NewUserSession,
  nowMs: number,
): UserSession | undefined {
  return claimRoom(db, input.roomName, input.userId, nowMs)
    ? insertUserSession(db, input, nowMs)
    : undefined;
}

/** A session only if it belongs to `userId`: callers never see another user's rows. */
export function findUserSession(
  db: Db,
  userId: string,
  sessionId: string,
): UserSession | undefined {
  return db
    .select()
    .from(userSessions)
    .where(and(eq(userSessions.id, sessionId), eq(userSessions.userId, userId)))
    .get();
}

const joinedSessionsOfUser = (db: Db) =>
  db
    .select({ n: count() })
    .from(userSessions)
    .where(
      and(
        eq(userSessions.userId, sql.placeholder('userId')),
        isNotNull(userSessions.sessionStart),
        ne(userSessions.id, sql.placeholder('exceptSessionId')),
      ),
    )
    .prepare();

/**
 * How many of the user's sessions other than `currentSessionId` were actually joined. Asked at
 * the start of every conversation, so the statement is prepared once.
 */
export function countEarlierSessions(
  db: Db,
  userId: string,
  currentSessionId: string | null,
): number {
  return (
    prepared(db, joinedSessionsOfUser).get({ userId, exceptSessionId: currentSessionId ?? '' })
      ?.n ?? 0
  );
}

export interface SessionEnd {
  userId: string;
  sessionId: string;
  /** When the participant was seen joining; used only if LiveKit has not reported the join. */
  joinedAtMs: number;
  endedAtMs: number;
  reason: string;
}

/**
 * Ends the session as the agent saw it, unless its end is already recorded. LiveKit's webhook is
 * the better witness: it wins when it came first, and replaces this record when it comes later
 * (`end_source` = 'agent' marks the record as provisional). Returns whether this call recorded it.
 */
export function recordSessionEnd(db: Db, end: SessionEnd): boolean {
  const start = sql`coalesce(${userSessions.sessionStart}, ${end.joinedAtMs})`;
  return (
    db
      .update(userSessions)
      .set({
        sessionStart: start,
        sessionEnd: end.endedAtMs,
        durationSeconds: durationSecondsSql(start, end.endedAtMs),
        status: 'ended',
        endReason: end.reason,
        endSource: 'agent',
      })
      .where(
        and(
          eq(userSessions.id, end.sessionId),
          eq(userSessions.userId, end.userId),
          isNull(userSessions.sessionEnd),
        ),
      )
      .run().changes === 1
  );
}

/**
 * The agent saw the user join: an `issued` (or already swept as `expired`) session becomes
 * `active`, so durations exist and the sweep leaves it alone even where no webhook is configured.
 * LiveKit's own join, when its webhook comes, still sets the start it reports.
 */
export function markSessionJoined(
  db: Db,
  input: { userId: string; sessionId: string; joinedAtMs: number },
): boolean {
  return (
    db
      .update(userSessions)
      .set({
        status: 'active',
        sessionStart: sql`coalesce(${userSessions.sessionStart}, ${input.joinedAtMs})`,
        endReason: null,
        endSource: null,
      })
      .where(
        and(
          eq(userSessions.id, input.sessionId),
          eq(userSessions.userId, input.userId),
          isNull(userSessions.sessionEnd),
          inArray(userSessions.status, ['issued', 'expired']),
        ),
      )
      .run().changes === 1
  );
}

/**
 * Sessions of the user in progress: joined (as LiveKit or the agent reported) and not ended. Read
 * through the (user_id, status) index, so it costs the same however many sessions the user had.
 */
export function countActiveSessionsOf(db: Db, userId: string, exceptSessionId = ''): number {
  return prepared(db, activeSessionsOfUser).get({ userId, exceptSessionId })?.n ?? 0;
}

/** Sessions LiveKit (or the agent) saw join that have not ended, across all users. */
export function countActiveSessions(db: Db): number {
  return (
    db.select({ n: count() }).from(userSessions).where(eq(userSessions.status, 'active')).get()
      ?.n ?? 0
  );
}
