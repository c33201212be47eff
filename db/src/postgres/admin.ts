/**
 * PostgreSQL ports of queries/admin.ts, and the admin's units of work on PostgreSQL: changing a
 * user's role or status and deleting a user (both refusing to remove the last active admin, across
 * replicas), ending a session, and making an admin.
 */
import { type SQL, and, count, desc, eq, gte, isNull, lt, or, sql } from 'drizzle-orm';
import type { PgDb } from '../open-postgres.ts';
import type {
  AdminStats,
  AdminUserChange,
  AdminUserChangeResult,
  AdminUserDeletion,
  UserPageCursor,
  UserSearch,
} from '../queries/admin.ts';
import { auditOfUserChange } from '../queries/admin.ts';
import type { NewAuditEntry } from '../queries/audit-log.ts';
import type { NewUser } from '../queries/users.ts';
import { userSessions, users } from '../schema.pg.ts';
import type { User, UserSession } from '../schema.ts';
import { likeContaining } from '../sql-fragments.ts';
import { forgetUserInAuditLogPg, insertAuditEntryPg } from './audit-log.ts';
import { dropPendingEmailChangePg } from './email-change.ts';
import { revokeUserRefreshFamiliesPg } from './refresh-tokens.ts';
import { type PgTx, runUnit } from './transaction.ts';
import { insertUserPg, setUserRolePg } from './users.ts';

/** PostgreSQL's `searchUsers`: newest first, ids in byte order, matching ignoring case. */
export async function searchUsersPg(
  db: PgDb | PgTx,
  query: UserSearch,
): Promise<{ users: User[]; next: UserPageCursor | null }> {
  const pattern = query.search === undefined ? undefined : likeContaining(query.search);
  const matches: SQL | undefined =
    pattern === undefined
      ? undefined
      : or(
          sql`${users.email} ILIKE ${pattern} ESCAPE '\\'`,
          sql`${users.fullName} ILIKE ${pattern} ESCAPE '\\'`,
        );
  const id = sql`${users.id} COLLATE "C"`;
  const rows = await db
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
              and(eq(users.createdAt, query.after.createdAt), sql`${id} < ${query.after.id}`),
            ),
      ),
    )
    .orderBy(desc(users.createdAt), desc(id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    users: page,
    next: rows.length > query.limit && last ? { createdAt: last.createdAt, id: last.id } : null,
  };
}

/** Sessions that may have a participant in a LiveKit room now (PostgreSQL's `findLiveSessions`). */
export function findLiveSessionsPg(
  db: PgDb | PgTx,
  userId: string,
  issuedAfterMs: number,
): Promise<UserSession[]> {
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
    );
}

/** Any user's session by id (admins only). */
export async function findSessionByIdPg(
  db: PgDb | PgTx,
  sessionId: string,
): Promise<UserSession | undefined> {
  const [session] = await db.select().from(userSessions).where(eq(userSessions.id, sessionId));
  return session;
}

/** PostgreSQL's `countActiveSessionsOf` (without an exception): the user's joined, unended sessions. */
export async function countActiveSessionsOfPg(db: PgDb | PgTx, userId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(userSessions)
    .where(and(eq(userSessions.userId, userId), eq(userSessions.status, 'active')));
  return row?.n ?? 0;
}

/** Sessions joined and not ended, across all users (the `attune_active_sessions` gauge). */
export async function countLiveSessionsPg(db: PgDb | PgTx): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(userSessions)
    .where(eq(userSessions.status, 'active'));
  return row?.n ?? 0;
}

/** PostgreSQL's `terminateSession`: ends a session now unless it has ended already. */
export async function terminateSessionPg(
  db: PgDb | PgTx,
  sessionId: string,
  nowMs: number,
): Promise<UserSession | undefined> {
  const start = sql`coalesce(${userSessions.sessionStart}, ${nowMs})`;
  const [ended] = await db
    .update(userSessions)
    .set({
      sessionStart: start,
      sessionEnd: nowMs,
      // SQLite's durationSecondsSql: whole seconds, halves away from zero, never negative.
      durationSeconds: sql`GREATEST(0, round((${nowMs} - ${start}) / 1000.0)::integer)`,
      status: 'ended',
      endReason: 'terminated',
      endSource: 'admin',
    })
    .where(and(eq(userSessions.id, sessionId), isNull(userSessions.sessionEnd)))
    .returning();
  return ended;
}

/** PostgreSQL's `adminStats`: the same figures, all numbers. */
export async function adminStatsPg(db: PgDb | PgTx, nowMs: number): Promise<AdminStats> {
  const day = nowMs - 86_400_000;
  const week = nowMs - 7 * 86_400_000;
  const roles = await db.select({ role: users.role, n: count() }).from(users).groupBy(users.role);
  const [suspended] = await db
    .select({ n: count() })
    .from(users)
    .where(eq(users.status, 'suspended'));
  const [sessions] = await db
    .select({
      active: sql<number>`count(*) FILTER (WHERE ${userSessions.status} = 'active')`,
      startedLast24h: sql<number>`count(*) FILTER (WHERE ${userSessions.sessionStart} >= ${day})`,
      endedLast24h: sql<number>`count(*) FILTER (WHERE ${userSessions.sessionEnd} >= ${day})`,
      meanSecondsLast7d: sql<
        number | null
      >`avg(${userSessions.durationSeconds}) FILTER (WHERE ${userSessions.status} = 'ended' AND ${userSessions.sessionStart} >= ${week})`,
      tokensMintedLast24h: sql<number>`count(*) FILTER (WHERE ${userSessions.issuedAt} >= ${day})`,
    })
    .from(userSessions);
  const { tokensMintedLast24h, ...sessionFigures } = sessions!;
  return {
    users: {
      total: roles.reduce((n, r) => n + r.n, 0),
      byRole: Object.fromEntries(roles.map((r) => [r.role, r.n])),
      suspended: suspended?.n ?? 0,
    },
    sessions: sessionFigures,
    tokensMintedLast24h,
  };
}

// ---------------------------------------------------------------------------------------------
// Units of work
// ---------------------------------------------------------------------------------------------

/**
 * Locks every active admin's row, in id order, and returns their ids. Every unit that could leave
 * the deployment without an active admin takes these locks first: two replicas demoting the last
 * two admins at once then run one after the other, and the second sees that only one is left.
 * (Under READ COMMITTED the second's lock re-reads the rows the first changed and drops the one
 * that is no longer an active admin.) One order for everyone keeps them from deadlocking.
 */
async function lockActiveAdminsPg(tx: PgTx): Promise<string[]> {
  const admins = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.role, 'admin'), eq(users.status, 'active')))
    .orderBy(sql`${users.id} COLLATE "C"`)
    .for('no key update');
  return admins.map((admin) => admin.id);
}

/** PostgreSQL's admin change of a user's role and status; see `AdminStore.changeUser`. */
export function changeUserPg(
  db: PgDb,
  input: AdminUserChange,
  nowMs: number,
): Promise<AdminUserChangeResult> {
  const { userId, role, status } = input;
  return runUnit(db, async (tx): Promise<AdminUserChangeResult> => {
    const admins = await lockActiveAdminsPg(tx);
    const [previous] = await tx
      .select()
      .from(users)
      .where(eq(users.id, userId))
      .for('no key update');
    if (!previous) return { status: 'not_found' };
    const removesAdmin =
      previous.role === 'admin' &&
      ((role !== undefined && role !== 'admin') || status === 'suspended');
    if (removesAdmin && !admins.some((id) => id !== userId)) return { status: 'last_admin' };
    const suspended = status === 'suspended' && previous.status !== 'suspended';
    // A change of address asked for before the suspension must not complete after it.
    if (suspended) await dropPendingEmailChangePg(tx, userId, nowMs);
    const [user] =
      role === undefined && status === undefined
        ? await tx.select().from(users).where(eq(users.id, userId))
        : await tx
            .update(users)
            .set({ ...(role ? { role } : {}), ...(status ? { status } : {}) })
            .where(eq(users.id, userId))
            .returning();
    for (const entry of auditOfUserChange(input, previous)) {
      await insertAuditEntryPg(tx, entry, nowMs);
    }
    if (suspended) await revokeUserRefreshFamiliesPg(tx, userId, nowMs);
    return { status: 'changed', user: user!, previous, suspended };
  });
}

/** PostgreSQL's admin deletion of a user; see `AdminStore.deleteUser`. */
export function deleteUserByAdminPg(
  db: PgDb,
  input: AdminUserDeletion,
  audit: NewAuditEntry,
  nowMs: number,
): Promise<'deleted' | 'not_found' | 'last_admin'> {
  return runUnit(db, async (tx) => {
    const admins = await lockActiveAdminsPg(tx);
    const [target] = await tx
      .select({ role: users.role })
      .from(users)
      .where(eq(users.id, input.userId))
      .for('update');
    if (!target) return 'not_found';
    if (target.role === 'admin' && !admins.some((id) => id !== input.userId)) return 'last_admin';
    await forgetUserInAuditLogPg(tx, input.userId);
    await tx.delete(users).where(eq(users.id, input.userId));
    await insertAuditEntryPg(tx, audit, nowMs);
    return 'deleted';
  });
}

/** Ends a session on an admin's order and signs its user out everywhere, with `audit`. */
export function endSessionByAdminPg(
  db: PgDb,
  session: Pick<UserSession, 'id' | 'userId'>,
  audit: NewAuditEntry,
  nowMs: number,
): Promise<UserSession | undefined> {
  return runUnit(db, async (tx) => {
    const ended = await terminateSessionPg(tx, session.id, nowMs);
    await revokeUserRefreshFamiliesPg(tx, session.userId, nowMs);
    await insertAuditEntryPg(tx, audit, nowMs);
    return ended;
  });
}

/** Makes an existing user an admin, with `audit`; undefined when there is no such user. */
export function promoteToAdminPg(
  db: PgDb,
  userId: string,
  audit: NewAuditEntry,
  nowMs: number,
): Promise<User | undefined> {
  return runUnit(db, async (tx) => {
    const user = await setUserRolePg(tx, userId, 'admin');
    if (user) await insertAuditEntryPg(tx, audit, nowMs);
    return user;
  });
}

/**
 * Inserts a new admin and writes `audit` about them (its target is the new id); undefined, with
 * nothing written, when the email is taken.
 */
export function createAdminPg(
  db: PgDb,
  input: Omit<NewUser, 'role'>,
  audit: Omit<NewAuditEntry, 'target'>,
  nowMs: number,
): Promise<User | undefined> {
  return runUnit(db, async (tx) => {
    const user = await insertUserPg(tx, { ...input, role: 'admin' }, nowMs);
    if (user) await insertAuditEntryPg(tx, { ...audit, target: user.id }, nowMs);
    return user;
  });
}
