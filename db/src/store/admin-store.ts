import type { AttuneDatabase } from '../open-database.ts';
import type { PostgresDatabase } from '../open-postgres.ts';
import {
  createUserWithPasswordLinkPg,
  inviteUserPg,
  setRoleByOperatorPg,
} from '../postgres/admin-accounts.ts';
import {
  adminStatsPg,
  changeUserPg,
  countActiveSessionsOfPg,
  countLiveSessionsPg,
  createAdminPg,
  deleteUserByAdminPg,
  endSessionByAdminPg,
  findLiveSessionsPg,
  findSessionByIdPg,
  promoteToAdminPg,
  searchUsersPg,
} from '../postgres/admin.ts';
import { runUnit } from '../postgres/transaction.ts';
import {
  type AdminInvitation,
  type AdminInvitationResult,
  type AdminNewUser,
  type AdminNewUserResult,
  createUserWithPasswordLink,
  inviteUser,
  setRoleByOperator,
} from '../queries/admin-accounts.ts';
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
import type { AuditFor } from '../queries/audit-builder.ts';
import type { NewAuditEntry } from '../queries/audit-log.ts';
import { countActiveSessions, countActiveSessionsOf } from '../queries/user-sessions.ts';
import type { NewUser } from '../queries/users.ts';
import type { ActionToken, User, UserRole, UserSession } from '../schema.ts';
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
  /**
   * Creates a user without a password and issues its set-password link, with `audit` about the
   * user; refused (nothing written) at MAX_USERS, exactly across replicas, or for a taken address.
   */
  createUser(
    input: AdminNewUser,
    nowMs: number,
    audit?: AuditFor<User>,
  ): Promise<AdminNewUserResult>;
  /** Issues an invitation with `audit`; refused for an address with an account, or at MAX_USERS. */
  invite(
    input: AdminInvitation,
    nowMs: number,
    audit?: AuditFor<ActionToken>,
  ): Promise<AdminInvitationResult>;
  /**
   * The operator's role change from the command line, with `audit` from the role it replaced; it
   * may take the last admin's role. Undefined when there is no such user.
   */
  setRoleByOperator(
    userId: string,
    role: UserRole,
    audit: AuditFor<{ previous: User; user: User }>,
    nowMs: number,
  ): Promise<{ previous: User; user: User } | undefined>;
  /** The user's sessions joined and not ended (the admin's view of a user). */
  countActiveSessions(userId: string): Promise<number>;
  /** Sessions joined and not ended, across all users (the metrics' gauge). */
  countLiveSessions(): Promise<number>;
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
    createUser: (input, nowMs, audit) =>
      groupCommit.run((tx) => createUserWithPasswordLink(tx, input, nowMs, audit)),
    invite: (input, nowMs, audit) => groupCommit.run((tx) => inviteUser(tx, input, nowMs, audit)),
    setRoleByOperator: (userId, role, audit, nowMs) =>
      groupCommit.run((tx) => setRoleByOperator(tx, userId, role, audit, nowMs)),
    countActiveSessions: (userId) => runSync(() => countActiveSessionsOf(db, userId)),
    countLiveSessions: () => runSync(() => countActiveSessions(db)),
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
    createUser: (input, nowMs, audit) =>
      runUnit(db, (tx) => createUserWithPasswordLinkPg(tx, input, nowMs, audit)),
    invite: (input, nowMs, audit) => runUnit(db, (tx) => inviteUserPg(tx, input, nowMs, audit)),
    setRoleByOperator: (userId, role, audit, nowMs) =>
      runUnit(db, (tx) => setRoleByOperatorPg(tx, userId, role, audit, nowMs)),
    countActiveSessions: (userId) => countActiveSessionsOfPg(db, userId),
    countLiveSessions: () => countLiveSessionsPg(db),
  };
}
