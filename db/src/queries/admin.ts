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
import { type NewAuditEntry, forgetUserInAuditLog, insertAuditEntry } from './audit-log.ts';
import { dropPendingEmailChange } from './email-change.ts';
import { revokeUserRefreshFamilies } from './refresh-tokens.ts';
import { type NewUser, deleteUser, insertUser, setUserRole } from './users.ts';

export interface UserPageCursor {
  createdAt: number;
  id: string;
}

export interface UserSearch {
  /** A fragment of the email or the name, matched ignoring (ASCII) case. */
  search?: string | undefined;
  role?: UserRole | undefined;
  status?: UserStatus | undefined;
  limit: number;
  after?: UserPageCursor | undefined;
}

/** Users newest first, a page at a time, optionally matching an email or name fragment. */
export function searchUsers(
  db: Db,
  query: UserSearch,
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

// ---------------------------------------------------------------------------------------------
// Units of work (SQLite; postgres/admin.ts has the PostgreSQL ones). Run each in one transaction.
// ---------------------------------------------------------------------------------------------

/** An admin's change of another user's role and/or status, and who asks for it from where. */
export interface AdminUserChange {
  userId: string;
  role?: UserRole | undefined;
  status?: UserStatus | undefined;
  /** The admin making the change, for the audit entries. */
  actorId: string;
  ip: string | null;
}

export type AdminUserChangeResult =
  /** `suspended`: this change suspended the user (their devices are signed out). */
  | { status: 'changed'; user: User; previous: User; suspended: boolean }
  | { status: 'not_found' }
  /** It would have left no active admin; nothing was written. */
  | { status: 'last_admin' };

export interface AdminUserDeletion {
  userId: string;
}

/** The `role_change` / `status_change` entries a change makes, from what the user was. */
export function auditOfUserChange(
  change: AdminUserChange,
  previous: Pick<User, 'role' | 'status'>,
): NewAuditEntry[] {
  const entries: NewAuditEntry[] = [];
  const by = { actorId: change.actorId, target: change.userId, ip: change.ip };
  if (change.role !== undefined && change.role !== previous.role)
    entries.push({
      action: 'role_change',
      ...by,
      detail: { from: previous.role, to: change.role },
    });
  if (change.status !== undefined && change.status !== previous.status)
    entries.push({
      action: 'status_change',
      ...by,
      detail: { from: previous.status, to: change.status },
    });
  return entries;
}

/**
 * Changes a user's role and/or status with its audit entries, refusing to leave no active admin;
 * a suspension also drops a pending change of address and signs every device out.
 */
export function changeUser(db: Db, change: AdminUserChange, nowMs: number): AdminUserChangeResult {
  const previous = db.select().from(users).where(eq(users.id, change.userId)).get();
  if (!previous) return { status: 'not_found' };
  const removesAdmin =
    previous.role === 'admin' &&
    ((change.role !== undefined && change.role !== 'admin') || change.status === 'suspended');
  if (removesAdmin && countOtherActiveAdmins(db, change.userId) === 0)
    return { status: 'last_admin' };
  const suspended = change.status === 'suspended' && previous.status !== 'suspended';
  // A change of address asked for before the suspension must not complete after it.
  if (suspended) dropPendingEmailChange(db, change.userId, nowMs);
  const user = setUserStatusAndRole(db, change.userId, change)!;
  for (const entry of auditOfUserChange(change, previous)) insertAuditEntry(db, entry, nowMs);
  if (suspended) revokeUserRefreshFamilies(db, change.userId, nowMs);
  return { status: 'changed', user, previous, suspended };
}

/**
 * Deletes a user on an admin's order, with everything they own, anonymising their audit entries
 * and writing `audit`; refused when the user is an admin and no other active admin would remain.
 */
export function deleteUserByAdmin(
  db: Db,
  { userId }: AdminUserDeletion,
  audit: NewAuditEntry,
  nowMs: number,
): 'deleted' | 'not_found' | 'last_admin' {
  const target = db.select({ role: users.role }).from(users).where(eq(users.id, userId)).get();
  if (!target) return 'not_found';
  if (target.role === 'admin' && countOtherActiveAdmins(db, userId) === 0) return 'last_admin';
  forgetUserInAuditLog(db, userId);
  deleteUser(db, userId);
  insertAuditEntry(db, audit, nowMs);
  return 'deleted';
}

/** Ends a session on an admin's order and signs its user out everywhere, with `audit`. */
export function endSessionByAdmin(
  db: Db,
  session: Pick<UserSession, 'id' | 'userId'>,
  audit: NewAuditEntry,
  nowMs: number,
): UserSession | undefined {
  const ended = terminateSession(db, session.id, nowMs);
  revokeUserRefreshFamilies(db, session.userId, nowMs);
  insertAuditEntry(db, audit, nowMs);
  return ended;
}

/** Makes an existing user an admin, with `audit`; undefined when there is no such user. */
export function promoteToAdmin(
  db: Db,
  userId: string,
  audit: NewAuditEntry,
  nowMs: number,
): User | undefined {
  const user = setUserRole(db, userId, 'admin');
  if (user) insertAuditEntry(db, audit, nowMs);
  return user;
}

/** Inserts a new admin with `audit` about them; undefined, nothing written, when the email is taken. */
export function createAdmin(
  db: Db,
  input: Omit<NewUser, 'role'>,
  audit: Omit<NewAuditEntry, 'target'>,
  nowMs: number,
): User | undefined {
  const user = insertUser(db, { ...input, role: 'admin' }, nowMs);
  if (user) insertAuditEntry(db, { ...audit, target: user.id }, nowMs);
  return user;
}
