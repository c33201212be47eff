import { type SQL, and, count, desc, eq, gte, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../open-database.ts';
import {
  type User,
  type UserRole,
  type UserSession,
  type UserStatus,
  userSessions,
  users,
} from '../schema.ts';
import { durationSecondsSql, likeContaining } from '../sql-fragments.ts';

export interface UserPageCursor {
  createdAt: number;
  id: string;
}

/** Users newest first, a page at a time, optionally matching an email or name fragment. */
export function searchUsers(
  db: Db,
  query: {
    search?: string | undefined;
    role?: UserRole | undefined;
    status?: UserStatus | undefined;
    limit: number;
    after?: UserPageCursor | undefined;
  },
): { users: User[]; next: UserPageCursor | null } {
  const pattern =
    query.search === undefined ? undefined : likeContaining(query.search.toLowerCase());
  const matches: SQL | undefined =
    pattern === undefined
      ? undefined
      : or(
          sql`${users.email} LIKE ${pattern} ESCAPE '\\'`,
          sql`lower(${users.fullName}) LIKE ${pattern} ESCAPE '\\'`,
        );
  const rows = db
    .select()
    .from(users)
    .where(
      and(
        matches,
        query.role === undefined ? undefined : eq(users.role, query.role),
        query.status === undefined ? undefined : eq(users.status, query.status),
        query.after === undefined
          ? undefined
          : or(
              lt(users.createdAt, query.after.createdAt),
              and(eq(users.createdAt, query.after.createdAt), lt(users.id, query.after.id)),
            ),
      ),
    )
    .orderBy(desc(users.createdAt), desc(users.id))
    .limit(query.limit + 1)
    .all();
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    users: page,
    next: rows.length > query.limit && last ? { createdAt: last.createdAt, id: last.id } : null,
  };
}

export function setUserStatusAndRole(
  db: Db,
  userId: string,
  change: { role?: UserRole | undefined; status?: UserStatus | undefined },
): User | undefined {
  if (change.role === undefined && change.status === undefined)
    return db.select().from(users).where(eq(users.id, userId)).get();
  return db
    .update(users)
    .set({
      ...(change.role ? { role: change.role } : {}),
      ...(change.status ? { status: change.status } : {}),
    })
    .where(eq(users.id, userId))
    .returning()
    .get();
}

/** Sessions that may have a participant in a LiveKit room now: joined and not ended, or a token still valid. */
export function findLiveSessions(db: Db, userId: string, issuedAfterMs: number): UserSession[] {
  return db
    .select()
    .from(userSessions)
    .where(
      and(
        eq(userSessions.userId, userId),
        or(
          eq(userSessions.status, 'active'),
          and(eq(userSessions.status, 'issued'), gte(userSessions.issuedAt, issuedAfterMs)),
        ),
      ),
    )
    .all();
}

/** Any user's session by id (admins only). */
export function findSessionById(db: Db, sessionId: string): UserSession | undefined {
  return db.select().from(userSessions).where(eq(userSessions.id, sessionId)).get();
}

/** Ends a session now on an admin's order; the LiveKit leave, if it comes, replaces the time. */
export function terminateSession(
  db: Db,
  sessionId: string,
  nowMs: number,
): UserSession | undefined {
  const start = sql`coalesce(${userSessions.sessionStart}, ${nowMs})`;
  return db
    .update(userSessions)
    .set({
      sessionStart: start,
      sessionEnd: nowMs,
      durationSeconds: durationSecondsSql(start, nowMs),
      status: 'ended',
      endReason: 'terminated',
      endSource: 'admin',
    })
    .where(and(eq(userSessions.id, sessionId), isNull(userSessions.sessionEnd)))
    .returning()
    .get();
}

export interface AdminStats {
  users: { total: number; byRole: Record<string, number>; suspended: number };
  sessions: {
    active: number;
    startedLast24h: number;
    endedLast24h: number;
    meanSecondsLast7d: number | null;
  };
  tokensMintedLast24h: number;
}

export function adminStats(db: Db, nowMs: number): AdminStats {
  const day = nowMs - 86_400_000;
  const week = nowMs - 7 * 86_400_000;
  const roles = db.select({ role: users.role, n: count() }).from(users).groupBy(users.role).all();
  const suspended =
    db.select({ n: count() }).from(users).where(eq(users.status, 'suspended')).get()?.n ?? 0;
  const sessions = db
    .select({
      active: sql<number>`coalesce(sum(${userSessions.status} = 'active'), 0)`,
      startedLast24h: sql<number>`coalesce(sum(${userSessions.sessionStart} >= ${day}), 0)`,
      endedLast24h: sql<number>`coalesce(sum(${userSessions.sessionEnd} >= ${day}), 0)`,
      meanSecondsLast7d: sql<
        number | null
      >`avg(CASE WHEN ${userSessions.status} = 'ended' AND ${userSessions.sessionStart} >= ${week} THEN ${userSessions.durationSeconds} END)`,
      tokensMintedLast24h: sql<number>`coalesce(sum(${userSessions.issuedAt} >= ${day}), 0)`,
    })
    .from(userSessions)
    .get()!;
  const { tokensMintedLast24h, ...sessionFigures } = sessions;
  return {
    users: {
      total: roles.reduce((n, r) => n + r.n, 0),
      byRole: Object.fromEntries(roles.map((r) => [r.role, r.n])),
      suspended,
    },
    sessions: sessionFigures,
    tokensMintedLast24h,
  };
}

/** Active admins other than `userId` (checked inside the transaction that would remove an admin). */
export function countOtherActiveAdmins(db: Db, userId: string): number {
  return (
    db
      .select({ n: count() })
      .from(users)
      .where(
        and(eq(users.role, 'admin'), eq(users.status, 'active'), sql`${users.id} <> ${userId}`),
      )
      .get()?.n ?? 0
  );
}
