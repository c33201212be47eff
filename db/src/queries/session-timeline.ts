import { and, desc, eq, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../open-database.ts';
import { type UserSession, userSessions, webhookEvents } from '../schema.ts';
import { durationSecondsSql } from '../sql-fragments.ts';

/** The columns of a session that LiveKit's events move. */
export type SessionTimeline = Pick<
  UserSession,
  | 'sessionStart'
  | 'lastJoinAt'
  | 'sessionEnd'
  | 'durationSeconds'
  | 'status'
  | 'endReason'
  | 'endSource'
>;

/**
 * Records a webhook event id; false when it was recorded before (a redelivery). Run it in the
 * same transaction as the event's effects, so a failed event is not marked as seen.
 */
export function insertWebhookEvent(
  db: Db,
  event: { id: string; event: string },
  nowMs: number,
): boolean {
  return (
    db
      .insert(webhookEvents)
      .values({ id: event.id, event: event.event, receivedAt: nowMs })
      .onConflictDoNothing()
      .run().changes === 1
  );
}

/** Forgets webhook event ids older than `beforeMs` (LiveKit redelivers within minutes). */
export function pruneWebhookEvents(db: Db, beforeMs: number): number {
  return db.delete(webhookEvents).where(lt(webhookEvents.receivedAt, beforeMs)).run().changes;
}

/**
 * The session a LiveKit participant stands for: the one named in its `attune.session_id`
 * attribute when it belongs to that identity in that room, else the newest session issued to that
 * identity for that room.
 */
export function findParticipantSession(
  db: Db,
  participant: { roomName: string; identity: string; sessionId: string | undefined },
): UserSession | undefined {
  const inRoom = and(
    eq(userSessions.roomName, participant.roomName),
    eq(userSessions.participantIdentity, participant.identity),
  );
  if (participant.sessionId) {
    const named = db
      .select()
      .from(userSessions)
      .where(and(eq(userSessions.id, participant.sessionId), inRoom))
      .get();
    if (named) return named;
  }
  return db
    .select()
    .from(userSessions)
    .where(inRoom)
    .orderBy(desc(userSessions.issuedAt), desc(userSessions.id))
    .limit(1)
    .get();
}

/** Sessions in the room that LiveKit saw join and that have no end yet. */
export function openSessionsInRoom(db: Db, roomName: string): UserSession[] {
  return db
    .select()
    .from(userSessions)
    .where(
      and(
        eq(userSessions.roomName, roomName),
        isNotNull(userSessions.lastJoinAt),
        isNull(userSessions.sessionEnd),
      ),
    )
    .all();
}

/** Writes the timeline columns only, whatever else the object carries. */
export function updateSessionTimeline(db: Db, sessionId: string, t: SessionTimeline): void {
  db.update(userSessions)
    .set({
      sessionStart: t.sessionStart,
      lastJoinAt: t.lastJoinAt,
      sessionEnd: t.sessionEnd,
      durationSeconds: t.durationSeconds,
      status: t.status,
      endReason: t.endReason,
      endSource: t.endSource,
    })
    .where(eq(userSessions.id, sessionId))
    .run();
}

/**
 * Tokens nobody joined with before they expired: `issued` sessions issued before `issuedBefore`
 * become `expired` (end reason `token_unused`).
 */
export function expireUnusedSessions(db: Db, issuedBefore: number): number {
  return db
    .update(userSessions)
    .set({ status: 'expired', endReason: 'token_unused', endSource: 'sweep' })
    .where(and(eq(userSessions.status, 'issued'), lt(userSessions.issuedAt, issuedBefore)))
    .run().changes;
}

/**
 * Sessions LiveKit reported joined but never reported left: once their latest join is older than
 * `maxMs` before `nowMs`, they end at that join plus `maxMs`, with end reason `timeout`.
 */
export function closeStaleSessions(db: Db, nowMs: number, maxMs: number): number {
  const lastSeen = sql`coalesce(${userSessions.lastJoinAt}, ${userSessions.sessionStart})`;
  const end = sql`${lastSeen} + ${maxMs}`;
  return db
    .update(userSessions)
    .set({
      sessionEnd: end,
      durationSeconds: durationSecondsSql(sql`${userSessions.sessionStart}`, end),
      status: 'ended',
      endReason: 'timeout',
      endSource: 'sweep',
    })
    .where(
      and(
        inArray(userSessions.status, ['active']),
        isNull(userSessions.sessionEnd),
        lt(lastSeen, nowMs - maxMs),
      ),
    )
    .run().changes;
}
