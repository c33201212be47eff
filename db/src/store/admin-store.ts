import type { AttuneDatabase } from '../open-database.ts';
import type { PostgresDatabase } from '../open-postgres.ts';
import {
  adminStatsPg,
  changeUserPg,
  createAdminPg,
  deleteUserByAdminPg,
  endSessionByAdminPg,
  findLiveSessionsPg,
  findSessionByIdPg,
  promoteToAdminPg,
  searchUsersPg,
} from '../postgres/admin.ts';
import {
  type AdminStats,
  type AdminUserChange,
  type AdminUserChangeResult,
  type AdminUserDeletion,
  type UserPageCursor,
  type UserSearch,
  adminStats,
  changeUser,
  createAdmin,
  deleteUserByAdmin,
  endSessionByAdmin,
  findLiveSessions,
  findSessionById,
  promoteToAdmin,
  searchUsers,
} from '../queries/admin.ts';
import type { NewAuditEntry } from '../queries/audit-log.ts';
import type { NewUser } from '../queries/users.ts';
import type { User, UserSession } from '../schema.ts';
import { runSync } from './run-sync.ts';

/**
 * What admins (and the operator's command line) do to accounts and sessions. The rule that the
 * deployment always keeps an active admin holds across replicas: every unit that could remove an
 * admin locks the active admins' rows first on PostgreSQL, and SQLite has one writer.
 */
export interface AdminStore {
  /** Users newest first, a page at a time, optionally matching an email or name fragment. */
  searchUsers(query: UserSearch): Promise<{ users: User[]; next: UserPageCursor | null }>;
  /**
   * Changes a user's role and/or status and writes a `role_change` / `status_change` entry for
   * what changed. Refused (`last_admin`, nothing written) when it would leave no active admin. A
   * suspension also drops a pending change of address and signs every device of the user out.
   */
  changeUser(change: AdminUserChange, nowMs: number): Promise<AdminUserChangeResult>;
  /**
   * Deletes a user with everything they own, anonymises their audit entries and writes `audit`.
   * Refused (`last_admin`) for an admin when no other active admin would remain.
   */
  deleteUser(
    deletion: AdminUserDeletion,
    audit: NewAuditEntry,
    nowMs: number,
  ): Promise<'deleted' | 'not_found' | 'last_admin'>;
  /** Any user's session by id. */
  findSession(sessionId: string): Promise<UserSession | undefined>;
  /** The user's sessions that may have a participant in a room now. */
  liveSessions(userId: string, issuedAfterMs: number): Promise<UserSession[]>;
  /**
   * Ends the session now (unless it has ended) and signs its user out everywhere, with `audit`;
   * the ended row, or undefined when it had ended already.
   */
  endSession(
    session: Pick<UserSession, 'id' | 'userId'>,
    audit: NewAuditEntry,
    nowMs: number,
  ): Promise<UserSession | undefined>;
  /** Counts for the admin dashboard. */
  stats(nowMs: number): Promise<AdminStats>;
  /** Makes an existing user an admin, with `audit`; undefined when there is no such user. */
  promoteToAdmin(userId: string, audit: NewAuditEntry, nowMs: number): Promise<User | undefined>;
  /** Creates an admin, with `audit` about them; undefined when the email is taken. */
  createAdmin(
    user: Omit<NewUser, 'role'>,
    audit: Omit<NewAuditEntry, 'target'>,
    nowMs: number,
  ): Promise<User | undefined>;
}

/** SQLite: each write is a unit of the group commit (its own savepoint, one writer). */
export function sqliteAdminStore({ db, groupCommit }: AttuneDatabase): AdminStore {
  return {
    searchUsers: (query) => runSync(() => searchUsers(db, query)),
    changeUser: (change, nowMs) => groupCommit.run((tx) => changeUser(tx, change, nowMs)),
    deleteUser: (deletion, audit, nowMs) =>
      groupCommit.run((tx) => deleteUserByAdmin(tx, deletion, audit, nowMs)),
    findSession: (sessionId) => runSync(() => findSessionById(db, sessionId)),
    liveSessions: (userId, issuedAfterMs) =>
      runSync(() => findLiveSessions(db, userId, issuedAfterMs)),
    endSession: (session, audit, nowMs) =>
      groupCommit.run((tx) => endSessionByAdmin(tx, session, audit, nowMs)),
    stats: (nowMs) => runSync(() => adminStats(db, nowMs)),
    promoteToAdmin: (userId, audit, nowMs) =>
      groupCommit.run((tx) => promoteToAdmin(tx, userId, audit, nowMs)),
    createAdmin: (user, audit, nowMs) =>
      groupCommit.run((tx) => createAdmin(tx, user, audit, nowMs)),
  };
}

export function postgresAdminStore({ db }: PostgresDatabase): AdminStore {
  return {
    searchUsers: (query) => searchUsersPg(db, query),
    changeUser: (change, nowMs) => changeUserPg(db, change, nowMs),
    deleteUser: (deletion, audit, nowMs) => deleteUserByAdminPg(db, deletion, audit, nowMs),
    findSession: (sessionId) => findSessionByIdPg(db, sessionId),
    liveSessions: (userId, issuedAfterMs) => findLiveSessionsPg(db, userId, issuedAfterMs),
    endSession: (session, audit, nowMs) => endSessionByAdminPg(db, session, audit, nowMs),
    stats: (nowMs) => adminStatsPg(db, nowMs),
    promoteToAdmin: (userId, audit, nowMs) => promoteToAdminPg(db, userId, audit, nowMs),
    createAdmin: (user, audit, nowMs) => createAdminPg(db, user, audit, nowMs),
  };
}
