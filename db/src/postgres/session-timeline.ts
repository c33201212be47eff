import { and, desc, eq, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { PgDb } from '../open-postgres.ts';
import type { SessionTimeline } from '../queries/session-timeline.ts';
import { userSessions, webhookEvents } from '../schema.pg.ts';
import type { UserSession } from '../schema.ts';
import type { PgTx } from './transaction.ts';

type Conn = PgDb | PgTx;

/** Records a webhook event id; false when it was recorded before (a redelivery). */
export async function insertWebhookEventPg(
  db: Conn,
  event: { id: string; event: string },
  nowMs: number,
): Promise<boolean> {
  const inserted = await db
    .insert(webhookEvents)
    .values({ id: event.id, event: event.event, receivedAt: nowMs })
    .onConflictDoNothing()
    .returning({ id: webhookEvents.id });
  return inserted.length === 1;
}

/** Forgets webhook event ids older than `beforeMs`. */
export async function pruneWebhookEventsPg(db: Conn, beforeMs: number): Promise<number> {
  const pruned = await db
    .delete(webhookEvents)
    .where(lt(webhookEvents.receivedAt, beforeMs))
    .returning({ id: webhookEvents.id });
  return pruned.length;
}

/**
 * The session a participant stands for (see the SQLite version), locked for the rest of the
 * transaction: two replicas applying a join and a leave of one session at once each read the
 * row the other wrote, never a stale one.
 */
export async function lockParticipantSessionPg(
  tx: PgTx,
  participant: { roomName: string; identity: string; sessionId: string | undefined },
): Promise<UserSession | undefined> {
  const inRoom = and(
    eq(userSessions.roomName, participant.roomName),
    eq(userSessions.participantIdentity, participant.identity),
  );
  if (participant.sessionId) {
    const [named] = await tx
      .select()
      .from(userSessions)
      .where(and(eq(userSessions.id, participant.sessionId), inRoom))
      .for('update');
    if (named) return named;
  }
  const [newest] = await tx
    .select()
    .from(userSessions)
    .where(inRoom)
    .orderBy(desc(userSessions.issuedAt), desc(sql`${userSessions.id} COLLATE "C"`))
    .limit(1)
    .for('update');
  return newest;
}

/** Sessions in the room that LiveKit saw join and that have no end yet, locked (see above). */
export function lockOpenSessionsInRoomPg(tx: PgTx, roomName: string): Promise<UserSession[]> {
  return tx
    .select()
    .from(userSessions)
    .where(
      and(
        eq(userSessions.roomName, roomName),
        isNotNull(userSessions.lastJoinAt),
        isNull(userSessions.sessionEnd),
      ),
    )
    .orderBy(userSessions.id)
    .for('update');
}

/** Writes the timeline columns only, whatever else the object carries. */
export async function updateSessionTimelinePg(
  db: Conn,
  sessionId: string,
  t: SessionTimeline,
): Promise<void> {
  await db
    .update(userSessions)
    .set({
      sessionStart: t.sessionStart,
      lastJoinAt: t.lastJoinAt,
      sessionEnd: t.sessionEnd,
      durationSeconds: t.durationSeconds,
      status: t.status,
      endReason: t.endReason,
      endSource: t.endSource,
    })
    .where(eq(userSessions.id, sessionId));
}

/** `issued` sessions issued before `issuedBefore` become `expired` (end reason `token_unused`). */
export async function expireUnusedSessionsPg(db: Conn, issuedBefore: number): Promise<number> {
  const expired = await db
    .update(userSessions)
    .set({ status: 'expired', endReason: 'token_unused', endSource: 'sweep' })
    .where(and(eq(userSessions.status, 'issued'), lt(userSessions.issuedAt, issuedBefore)))
    .returning({ id: userSessions.id });
  return expired.length;
}

/** Sessions joined but never reported left end `maxMs` after their latest join (`timeout`). */
export async function closeStaleSessionsPg(
  db: Conn,
  nowMs: number,
  maxMs: number,
): Promise<number> {
  const lastSeen = sql`coalesce(${userSessions.lastJoinAt}, ${userSessions.sessionStart})`;
  const end = sql`${lastSeen} + ${maxMs}`;
  const closed = await db
    .update(userSessions)
    .set({
      sessionEnd: end,
      durationSeconds: sql`GREATEST(0, round((${end} - ${userSessions.sessionStart}) / 1000.0))::integer`,
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
    .returning({ id: userSessions.id });
  return closed.length;
}
