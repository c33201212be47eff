/**
 * What a signed-in user may read, export and delete about themselves. Every function takes the
 * user's id and touches that user's rows only; none takes an id that could name another user's row
 * without also matching the user id.
 */
import {
  type SQL,
  and,
  asc,
  desc,
  eq,
  getTableColumns,
  gt,
  inArray,
  isNull,
  or,
  sql,
} from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Db } from '../open-database.ts';
import {
  type ConversationTurn,
  auditLog,
  conversationTurns,
  refreshTokens,
  rooms,
  userPreferences,
  userSessions,
  users,
} from '../schema.ts';

// ---------------------------------------------------------------------------------------------
// Conversation history, grouped by session
// ---------------------------------------------------------------------------------------------

/** Where a history page stopped: the last group's start and key (its session id, '' for none). */
export interface HistoryCursor {
  startedAt: number;
  key: string;
}

export interface HistoryGroup {
  /** null for the turns that belong to no session (all of them form one group). */
  sessionId: string | null;
  /** When the group's first turn was said. */
  startedAt: number;
  /** Oldest first. */
  turns: ConversationTurn[];
}

export interface HistoryPage {
  groups: HistoryGroup[];
  /** Pass back to get the next page; null on the last one. */
  next: HistoryCursor | null;
}

const groupKey = sql<string>`coalesce(${conversationTurns.sessionId}, '')`;
const groupStart = sql<number>`min(${conversationTurns.createdAt})`;

/**
 * The user's conversation turns grouped by session, the group that started last first, `limit`
 * groups at a time (keyset pagination on (first turn time, session id): stable while new turns
 * arrive). Turns with no session form one group of their own, with session id null.
 */
export function listHistoryPage(
  db: Db,
  userId: string,
  query: { limit: number; after?: HistoryCursor | undefined },
): HistoryPage {
  const { limit, after } = query;
  const rows = db
    .select({ sessionId: conversationTurns.sessionId, startedAt: groupStart })
    .from(conversationTurns)
    .where(eq(conversationTurns.userId, userId))
    .groupBy(conversationTurns.sessionId)
    .having(
      after === undefined
        ? undefined
        : sql`(${groupStart} < ${after.startedAt} OR (${groupStart} = ${after.startedAt} AND ${groupKey} < ${after.key}))`,
    )
    .orderBy(desc(groupStart), desc(groupKey))
    .limit(limit + 1)
    .all();
  const heads = rows.slice(0, limit);
  if (heads.length === 0) return { groups: [], next: null };

  const sessionIds = heads.flatMap((head) => (head.sessionId === null ? [] : [head.sessionId]));
  const includeUnsessioned = heads.some((head) => head.sessionId === null);
  const inGroups: SQL[] = [];
  if (sessionIds.length > 0) inGroups.push(inArray(conversationTurns.sessionId, sessionIds));
  if (includeUnsessioned) inGroups.push(isNull(conversationTurns.sessionId));
  const turns = db
    .select()
    .from(conversationTurns)
    .where(and(eq(conversationTurns.userId, userId), or(...inGroups)))
    .orderBy(asc(conversationTurns.createdAt), asc(conversationTurns.id))
    .all();

  const groups = heads.map((head): HistoryGroup => ({
    sessionId: head.sessionId,
    startedAt: head.startedAt,
    turns: [],
  }));
  const byKey = new Map(groups.map((group) => [group.sessionId ?? '', group]));
  for (const turn of turns) byKey.get(turn.sessionId ?? '')?.turns.push(turn);
  const last = groups.at(-1);
  return {
    groups,
    next:
      rows.length > limit && last ? { startedAt: last.startedAt, key: last.sessionId ?? '' } : null,
  };
}

/** Deletes every conversation turn of the user (preferences stay); returns how many. */
export function deleteConversationHistory(db: Db, userId: string): number {
  return db.delete(conversationTurns).where(eq(conversationTurns.userId, userId)).run().changes;
}

// ---------------------------------------------------------------------------------------------
// Signed-in devices (refresh-token families)
// ---------------------------------------------------------------------------------------------

export interface Device {
  /** The refresh-token family id. */
  familyId: string;
  /** When the device signed in (the family's first token). */
  createdAt: number;
  /** When the device last refreshed (its live token was issued). */
  lastUsedAt: number;
  expiresAt: number;
  userAgent: string | null;
  ip: string | null;
}

const liveToken = (userId: string, nowMs: number) =>
  and(
    eq(refreshTokens.userId, userId),
    isNull(refreshTokens.revokedAt),
    gt(refreshTokens.expiresAt, nowMs),
  );

/** The user's signed-in devices: families with a token neither revoked nor expired, last used first. */
export function listLiveDevices(db: Db, userId: string, nowMs: number): Device[] {
  const live = db
    .select()
    .from(refreshTokens)
    .where(liveToken(userId, nowMs))
    .orderBy(desc(refreshTokens.createdAt), desc(refreshTokens.id))
    .all();
  if (live.length === 0) return [];
  const familyIds = [...new Set(live.map((token) => token.familyId))];
  const started = new Map(
    db
      .select({
        familyId: refreshTokens.familyId,
        createdAt: sql<number>`min(${refreshTokens.createdAt})`,
      })
      .from(refreshTokens)
      .where(and(eq(refreshTokens.userId, userId), inArray(refreshTokens.familyId, familyIds)))
      .groupBy(refreshTokens.familyId)
      .all()
      .map((row) => [row.familyId, row.createdAt]),
  );
  const devices = new Map<string, Device>();
  // Rotation leaves one live token per family; should there be more, the newest speaks for it.
  for (const token of live) {
    if (devices.has(token.familyId)) continue;
    devices.set(token.familyId, {
      familyId: token.familyId,
      createdAt: started.get(token.familyId) ?? token.createdAt,
      lastUsedAt: token.createdAt,
      expiresAt: token.expiresAt,
      userAgent: token.userAgent,
      ip: token.ip,
    });
  }
  return [...devices.values()];
}

/**
 * Signs one of the user's devices out: revokes the family's live tokens. False (and nothing
 * written) when the user has no live family of that id, including when it belongs to someone else.
 */
export function signOutDevice(db: Db, userId: string, familyId: string, nowMs: number): boolean {
  return (
    db
      .update(refreshTokens)
      .set({ revokedAt: nowMs })
      .where(and(liveToken(userId, nowMs), eq(refreshTokens.familyId, familyId)))
      .run().changes > 0
  );
}

// ---------------------------------------------------------------------------------------------
// Deleting the account
// ---------------------------------------------------------------------------------------------

/**
 * Deletes the user if their password hash is still the one the password was verified against (a
 * password change meanwhile wins). Foreign keys remove their refresh tokens, rooms, sessions,
 * preferences and turns; the audit log has no foreign key, so call `forgetUserInAuditLog` in the
 * same transaction.
 */
export function deleteUserWithPasswordHash(
  db: Db,
  userId: string,
  verifiedHash: string | null,
): boolean {
  return (
    db
      .delete(users)
      .where(
        and(
          eq(users.id, userId),
          verifiedHash === null ? isNull(users.passwordHash) : eq(users.passwordHash, verifiedHash),
        ),
      )
      .run().changes === 1
  );
}

// ---------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------

/** A row as stored: SQL column names, times in epoch milliseconds. */
export type StoredRow = Record<string, unknown>;

/** Columns never exported: the secrets derived from the user's credentials. */
const SECRET_COLUMNS = new Set(['password_hash', 'token_hash']);

/** Every column of `table` except the secrets, keyed by its SQL name. */
function storedColumns(table: SQLiteTable): Record<string, SQLiteColumn> {
  return Object.fromEntries(
    Object.values(getTableColumns(table) as Record<string, SQLiteColumn>)
      .filter((column) => !SECRET_COLUMNS.has(column.name))
      .map((column) => [column.name, column]),
  );
}

export interface UserDataExport {
  user: StoredRow;
  preferences: StoredRow[];
  conversationTurns: StoredRow[];
  sessions: StoredRow[];
  rooms: StoredRow[];
  /** Every refresh-token row (all devices, every rotation), without token hashes. */
  refreshTokens: StoredRow[];
  /** Audit entries where the user is the actor or the target. */
  auditLog: StoredRow[];
}

/**
 * Every row stored about the user, as stored (column names, epoch milliseconds), except the
 * password hash and refresh-token hashes; read in one transaction so the parts agree.
 * `undefined` when there is no such user.
 */
export function exportUserData(db: Db, userId: string): UserDataExport | undefined {
  return db.transaction((tx) => {
    const user = tx.select(storedColumns(users)).from(users).where(eq(users.id, userId)).get();
    if (!user) return undefined;
    return {
      user,
      preferences: tx
        .select(storedColumns(userPreferences))
        .from(userPreferences)
        .where(eq(userPreferences.userId, userId))
        .orderBy(asc(userPreferences.key))
        .all(),
      conversationTurns: tx
        .select(storedColumns(conversationTurns))
        .from(conversationTurns)
        .where(eq(conversationTurns.userId, userId))
        .orderBy(asc(conversationTurns.createdAt), asc(conversationTurns.id))
        .all(),
      sessions: tx
        .select(storedColumns(userSessions))
        .from(userSessions)
        .where(eq(userSessions.userId, userId))
        .orderBy(asc(userSessions.issuedAt), asc(userSessions.id))
        .all(),
      rooms: tx
        .select(storedColumns(rooms))
        .from(rooms)
        .where(eq(rooms.ownerId, userId))
        .orderBy(asc(rooms.createdAt), asc(rooms.name))
        .all(),
      refreshTokens: tx
        .select(storedColumns(refreshTokens))
        .from(refreshTokens)
        .where(eq(refreshTokens.userId, userId))
        .orderBy(asc(refreshTokens.createdAt), asc(refreshTokens.id))
        .all(),
      // Entries someone else (an admin) made about the user keep the action, but not who made
      // it nor from where: the export is the user's data, not other people's.
      auditLog: tx
        .select(storedColumns(auditLog))
        .from(auditLog)
        .where(or(eq(auditLog.actorId, userId), eq(auditLog.target, userId)))
        .orderBy(asc(auditLog.id))
        .all()
        .map((entry) =>
          entry.actor_id === userId ? entry : { ...entry, actor_id: null, ip: null },
        ),
    };
  });
}
