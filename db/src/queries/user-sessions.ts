import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../open-database.ts';
import { newId } from '../ids.ts';
import { prepared } from '../prepared.ts';
import { userSessions, type UserSession } from '../schema.ts';
import { claimRoom } from './rooms.ts';

export interface NewUserSession {
  userId: string;
  roomName: string;
  participantIdentity: string;
}

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
  return prepared(db, insertIssuedSession).get({ id: newId(), ...input, issuedAt: nowMs })!;
}

/**
 * In one transaction (a savepoint when one is already open): claims the room for the user (or
 * confirms they own it) and records the issued session. `undefined` when the room belongs to
 * someone else; nothing is written then.
 */
export function openUserSession(db: Db, input: NewUserSession, nowMs: number): UserSession | undefined {
  // The statements run on `db` itself, not on the transaction handle: better-sqlite3 has one
  // connection, so they are inside the transaction either way, and `db`'s prepared statements
  // are reused across calls (see prepared.ts).
  return db.transaction(() =>
    claimRoom(db, input.roomName, input.userId, nowMs) ? insertUserSession(db, input, nowMs) : undefined,
  );
}

/** A session only if it belongs to `userId`: callers never see another user's rows. */
export function findUserSession(db: Db, userId: string, sessionId: string): UserSession | undefined {
  return db
    .select()
    .from(userSessions)
    .where(and(eq(userSessions.id, sessionId), eq(userSessions.userId, userId)))
    .get();
}
