import { and, eq } from 'drizzle-orm';
import type { Db } from '../open-database.ts';
import { newId } from '../ids.ts';
import { userSessions, type UserSession } from '../schema.ts';

export interface NewUserSession {
  userId: string;
  roomName: string;
  participantIdentity: string;
}

/** One row per LiveKit token minted, status `issued` until LiveKit reports the join. */
export function insertUserSession(db: Db, input: NewUserSession, nowMs: number): UserSession {
  return db
    .insert(userSessions)
    .values({ id: newId(), ...input, issuedAt: nowMs, status: 'issued' })
    .returning()
    .get();
}

/** A session only if it belongs to `userId`: callers never see another user's rows. */
export function findUserSession(db: Db, userId: string, sessionId: string): UserSession | undefined {
  return db
    .select()
    .from(userSessions)
    .where(and(eq(userSessions.id, sessionId), eq(userSessions.userId, userId)))
    .get();
}
