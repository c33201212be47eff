/** PostgreSQL ports of queries/user-sessions.ts: the sessions a token mints and the agent reports. */
import { type SQL, and, count, eq, inArray, isNotNull, isNull, ne, sql } from 'drizzle-orm';
import { newId } from '../ids.ts';
import type { PgDb } from '../open-postgres.ts';
import type { NewUserSession, SessionEnd } from '../queries/user-sessions.ts';
import { userSessions } from '../schema.pg.ts';
import type { UserSession } from '../schema.ts';
import { claimRoomPg } from './rooms.ts';
import type { PgTx } from './transaction.ts';

type Conn = PgDb | PgTx;

/** SQLite's `durationSecondsSql` in PostgreSQL's words (`GREATEST` for `max`). */
function durationSecondsPg(startMs: SQL, endMs: number): SQL<number> {
  return sql<number>`GREATEST(0, round((${endMs} - ${startMs}) / 1000.0))::integer`;
}

export async function insertUserSessionPg(
  db: Conn,
  input: NewUserSession,
  nowMs: number,
): Promise<UserSession> {
  const [session] = await db
    .insert(userSessions)
    .values({
      id: newId(),
      userId: input.userId,
      roomName: input.roomName,
      participantIdentity: input.participantIdentity,
      issuedAt: nowMs,
      status: 'issued',
    })
    .returning();
  return session!;
}

/**
 * PostgreSQL's `openUserSession`, inside the caller's unit: claims the room (or confirms the
 * user owns it) and records the issued session; `undefined`, writing nothing, for another user's
 * room.
 */
export async function openUserSessionPg(
  tx: PgTx,
  input: NewUserSession,
  nowMs: number,
): Promise<UserSession | undefined> {
  return (await claimRoomPg(tx, input.roomName, input.userId, nowMs))
    ? insertUserSessionPg(tx, input, nowMs)
    : undefined;
}

/** PostgreSQL's `countActiveSessionsOf`: the user's joined, not ended sessions. */
export async function countActiveSessionsOfPg(
  db: Conn,
  userId: string,
  exceptSessionId = '',
): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(userSessions)
    .where(
      and(
        eq(userSessions.userId, userId),
        eq(userSessions.status, 'active'),
        ne(userSessions.id, exceptSessionId),
      ),
    );
  return row?.n ?? 0;
}

/** PostgreSQL's `countEarlierSessions`. */
export async function countEarlierSessionsPg(
  db: Conn,
  userId: string,
  currentSessionId: string | null,
): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(userSessions)
    .where(
      and(
        eq(userSessions.userId, userId),
        isNotNull(userSessions.sessionStart),
        ne(userSessions.id, currentSessionId ?? ''),
      ),
    );
  return row?.n ?? 0;
}

/** PostgreSQL's `recordSessionEnd`: one conditional update, so only the first end recorded wins. */
export async function recordSessionEndPg(db: Conn, end: SessionEnd): Promise<boolean> {
  const start = sql`coalesce(${userSessions.sessionStart}, ${end.joinedAtMs}::bigint)`;
  const ended = await db
    .update(userSessions)
    .set({
      sessionStart: start,
      sessionEnd: end.endedAtMs,
      durationSeconds: durationSecondsPg(start, end.endedAtMs),
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
    .returning({ id: userSessions.id });
  return ended.length === 1;
}

/** PostgreSQL's `markSessionJoined`: a conditional update from `issued` or `expired` only. */
export async function markSessionJoinedPg(
  db: Conn,
  input: { userId: string; sessionId: string; joinedAtMs: number },
): Promise<boolean> {
  const joined = await db
    .update(userSessions)
    .set({
      status: 'active',
      sessionStart: sql`coalesce(${userSessions.sessionStart}, ${input.joinedAtMs}::bigint)`,
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
    .returning({ id: userSessions.id });
  return joined.length === 1;
}
