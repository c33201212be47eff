/**
 * PostgreSQL ports of queries/account.ts: what a signed-in user may read, export and delete about
 * themselves, scoped to their own rows exactly as on SQLite. Text keys are ordered with
 * `COLLATE "C"` so pages and exports come out in SQLite's byte order whatever the server's locale.
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
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { PgDb } from '../open-postgres.ts';
import type {
  Device,
  HistoryCursor,
  HistoryGroup,
  HistoryPage,
  StoredRow,
  UserDataExport,
} from '../queries/account.ts';
import {
  auditLog,
  conversationTurns,
  refreshTokens,
  rooms,
  userPreferences,
  userSessions,
  users,
} from '../schema.pg.ts';
import { type PgTx, runUnit } from './transaction.ts';

/** `column COLLATE "C"`: byte order, SQLite's order for text. */
const bytewise = (column: PgColumn | SQL) => sql`${column} COLLATE "C"`;

// ---------------------------------------------------------------------------------------------
// Conversation history, grouped by session
// ---------------------------------------------------------------------------------------------

const groupKey = sql<string>`coalesce(${conversationTurns.sessionId}, '') COLLATE "C"`;
const groupStart = sql<number>`min(${conversationTurns.createdAt})`;

/** PostgreSQL's `listHistoryPage`: the same groups, order and cursors as on SQLite. */
export async function listHistoryPagePg(
  db: PgDb | PgTx,
  userId: string,
  query: { limit: number; after?: HistoryCursor | undefined },
): Promise<HistoryPage> {
  const { limit, after } = query;
  const rows = await db
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
    .limit(limit + 1);
  const heads = rows.slice(0, limit);
  if (heads.length === 0) return { groups: [], next: null };

  const sessionIds = heads.flatMap((head) => (head.sessionId === null ? [] : [head.sessionId]));
  const includeUnsessioned = heads.some((head) => head.sessionId === null);
  const inGroups: SQL[] = [];
  if (sessionIds.length > 0) inGroups.push(inArray(conversationTurns.sessionId, sessionIds));
  if (includeUnsessioned) inGroups.push(isNull(conversationTurns.sessionId));
  const turns = await db
    .select()
    .from(conversationTurns)
    .where(and(eq(conversationTurns.userId, userId), or(...inGroups)))
    .orderBy(asc(conversationTurns.createdAt), asc(conversationTurns.id));

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
export async function deleteConversationHistoryPg(
  db: PgDb | PgTx,
  userId: string,
): Promise<number> {
  const deleted = await db
    .delete(conversationTurns)
    .where(eq(conversationTurns.userId, userId))
    .returning({ id: conversationTurns.id });
  return deleted.length;
}

// ---------------------------------------------------------------------------------------------
// Signed-in devices (refresh-token families)
// ---------------------------------------------------------------------------------------------

const liveToken = (userId: string, nowMs: number) =>
  and(
    eq(refreshTokens.userId, userId),
    isNull(refreshTokens.revokedAt),
    gt(refreshTokens.expiresAt, nowMs),
  );

/** The user's signed-in devices, last used first (PostgreSQL's `listLiveDevices`). */
export async function listLiveDevicesPg(
  db: PgDb | PgTx,
  userId: string,
  nowMs: number,
): Promise<Device[]> {
  const live = await db
    .select()
    .from(refreshTokens)
    .where(liveToken(userId, nowMs))
    .orderBy(desc(refreshTokens.createdAt), desc(bytewise(refreshTokens.id)));
  if (live.length === 0) return [];
  const familyIds = [...new Set(live.map((token) => token.familyId))];
  const firstTokens = await db
    .select({
      familyId: refreshTokens.familyId,
      createdAt: sql<number>`min(${refreshTokens.createdAt})`,
    })
    .from(refreshTokens)
    .where(and(eq(refreshTokens.userId, userId), inArray(refreshTokens.familyId, familyIds)))
    .groupBy(refreshTokens.familyId);
  const started = new Map(firstTokens.map((row) => [row.familyId, row.createdAt]));
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

/** Revokes the live tokens of one of the user's families; false when it had none (or isn't theirs). */
export async function signOutDevicePg(
  db: PgDb | PgTx,
  userId: string,
  familyId: string,
  nowMs: number,
): Promise<boolean> {
  const revoked = await db
    .update(refreshTokens)
    .set({ revokedAt: nowMs })
    .where(and(liveToken(userId, nowMs), eq(refreshTokens.familyId, familyId)))
    .returning({ id: refreshTokens.id });
  return revoked.length > 0;
}

// ---------------------------------------------------------------------------------------------
// Deleting the account
// ---------------------------------------------------------------------------------------------

/**
 * Deletes the user if their password hash is still the one verified (a password change meanwhile
 * wins); ON DELETE CASCADE removes everything they own. Call `forgetUserInAuditLogPg` in the same
 * unit: the audit log has no foreign key.
 */
export async function deleteUserWithPasswordHashPg(
  db: PgDb | PgTx,
  userId: string,
  verifiedHash: string | null,
): Promise<boolean> {
  const deleted = await db
    .delete(users)
    .where(
      and(
        eq(users.id, userId),
        verifiedHash === null ? isNull(users.passwordHash) : eq(users.passwordHash, verifiedHash),
      ),
    )
    .returning({ id: users.id });
  return deleted.length === 1;
}

// ---------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------

/** Columns never exported: the secrets derived from the user's credentials. */
const SECRET_COLUMNS = new Set(['password_hash', 'token_hash']);

/** Every column of `table` except the secrets, keyed by its SQL name. */
function storedColumns(table: PgTable): Record<string, PgColumn> {
  return Object.fromEntries(
    Object.values(getTableColumns(table) as Record<string, PgColumn>)
      .filter((column) => !SECRET_COLUMNS.has(column.name))
      .map((column) => [column.name, column]),
  );
}

/**
 * PostgreSQL's `exportUserData`: the same rows in the same order, read from one snapshot
 * (REPEATABLE READ) so the parts agree. `undefined` when there is no such user.
 */
export function exportUserDataPg(db: PgDb, userId: string): Promise<UserDataExport | undefined> {
  return runUnit(
    db,
    async (tx) => {
      const [user] = (await tx
        .select(storedColumns(users))
        .from(users)
        .where(eq(users.id, userId))) as StoredRow[];
      if (!user) return undefined;
      const rowsOf = (rows: Promise<unknown>) => rows as Promise<StoredRow[]>;
      const audit = await rowsOf(
        tx
          .select(storedColumns(auditLog))
          .from(auditLog)
          .where(or(eq(auditLog.actorId, userId), eq(auditLog.target, userId)))
          .orderBy(asc(auditLog.id)),
      );
      return {
        user,
        preferences: await rowsOf(
          tx
            .select(storedColumns(userPreferences))
            .from(userPreferences)
            .where(eq(userPreferences.userId, userId))
            .orderBy(asc(bytewise(userPreferences.key))),
        ),
        conversationTurns: await rowsOf(
          tx
            .select(storedColumns(conversationTurns))
            .from(conversationTurns)
            .where(eq(conversationTurns.userId, userId))
            .orderBy(asc(conversationTurns.createdAt), asc(conversationTurns.id)),
        ),
        sessions: await rowsOf(
          tx
            .select(storedColumns(userSessions))
            .from(userSessions)
            .where(eq(userSessions.userId, userId))
            .orderBy(asc(userSessions.issuedAt), asc(bytewise(userSessions.id))),
        ),
        rooms: await rowsOf(
          tx
            .select(storedColumns(rooms))
            .from(rooms)
            .where(eq(rooms.ownerId, userId))
            .orderBy(asc(rooms.createdAt), asc(bytewise(rooms.name))),
        ),
        refreshTokens: await rowsOf(
          tx
            .select(storedColumns(refreshTokens))
            .from(refreshTokens)
            .where(eq(refreshTokens.userId, userId))
            .orderBy(asc(refreshTokens.createdAt), asc(bytewise(refreshTokens.id))),
        ),
        // As on SQLite: entries someone else made about the user lose who made them and from where.
        auditLog: audit.map((entry) =>
          entry.actor_id === userId ? entry : { ...entry, actor_id: null, ip: null },
        ),
      };
    },
    { isolationLevel: 'repeatable read' },
  );
}
