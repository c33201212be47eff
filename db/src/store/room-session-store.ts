import type { AttuneDatabase, Db } from '../open-database.ts';
import type { PostgresDatabase } from '../open-postgres.ts';
import { insertAuditEntryPg } from '../postgres/audit-log.ts';
import { runUnit } from '../postgres/transaction.ts';
import { countActiveSessionsOfPg, openUserSessionPg } from '../postgres/user-sessions.ts';
import { lockUserPg } from '../postgres/users.ts';
import type { AuditFor } from '../queries/audit-builder.ts';
import { insertAuditEntry } from '../queries/audit-log.ts';
import { countActiveSessionsOf, openUserSession } from '../queries/user-sessions.ts';
import type { UserSession } from '../schema.ts';

/** A LiveKit token about to be minted: whose, for which room, within how many live sessions. */
export interface RoomSessionRequest {
  userId: string;
  roomName: string;
  participantIdentity: string;
  /** Sessions in progress (joined, not ended) the user may have; at this many a new one is refused. */
  maxActive: number;
}

export type RoomSessionOutcome =
  | { status: 'opened'; session: UserSession }
  /** The user already has `maxActive` sessions in progress. */
  | { status: 'session_limit' }
  /** Another user owns the room. */
  | { status: 'room_forbidden' };

/** The sessions tokens are minted for (POST /auth/token). */
export interface RoomSessionStore {
  /**
   * One unit: counts the user's sessions in progress against `maxActive`, claims the room (or
   * confirms the user owns it), records the `issued` session and `audit`'s entry. A refusal writes
   * nothing. Of two users claiming one free room at once, on any replicas, exactly one owns it.
   */
  open(
    request: RoomSessionRequest,
    nowMs: number,
    audit: AuditFor<UserSession>,
  ): Promise<RoomSessionOutcome>;
}

const sessionOf = ({ userId, roomName, participantIdentity }: RoomSessionRequest) => ({
  userId,
  roomName,
  participantIdentity,
});

const SESSION_LIMIT = { status: 'session_limit' } as const;
const ROOM_FORBIDDEN = { status: 'room_forbidden' } as const;

/** Synchronous, on the group commit's root handle: its statements are prepared once. */
function openSqlite(
  db: Db,
  request: RoomSessionRequest,
  nowMs: number,
  audit: AuditFor<UserSession>,
): RoomSessionOutcome {
  if (countActiveSessionsOf(db, request.userId) >= request.maxActive) return SESSION_LIMIT;
  const session = openUserSession(db, sessionOf(request), nowMs);
  if (!session) return ROOM_FORBIDDEN;
  const entry = audit(session);
  if (entry) insertAuditEntry(db, entry, nowMs);
  return { status: 'opened', session };
}

/**
 * SQLite: one piece of work in the next group commit (the token route's hot path: a burst of
 * tokens shares one commit). SQLite's single writer serialises the count and the claim.
 */
export function sqliteRoomSessionStore({ groupCommit }: AttuneDatabase): RoomSessionStore {
  return {
    open: (request, nowMs, audit) => groupCommit.run((db) => openSqlite(db, request, nowMs, audit)),
  };
}

/**
 * PostgreSQL: the user's row is locked first, so one user's count and claim run one replica at a
 * time; a room two users claim at once goes to the first insert (see `claimRoomPg`).
 */
export function postgresRoomSessionStore({ db }: PostgresDatabase): RoomSessionStore {
  return {
    open: (request, nowMs, audit) =>
      runUnit(db, async (tx): Promise<RoomSessionOutcome> => {
        await lockUserPg(tx, request.userId);
        if ((await countActiveSessionsOfPg(tx, request.userId)) >= request.maxActive)
          return SESSION_LIMIT;
        const session = await openUserSessionPg(tx, sessionOf(request), nowMs);
        if (!session) return ROOM_FORBIDDEN;
        const entry = audit(session);
        if (entry) await insertAuditEntryPg(tx, entry, nowMs);
        return { status: 'opened', session };
      }),
  };
}
