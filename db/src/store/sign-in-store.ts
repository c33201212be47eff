import type { AttuneDatabase, Db } from '../open-database.ts';
import type { PostgresDatabase } from '../open-postgres.ts';
import { insertAuditEntryPg } from '../postgres/audit-log.ts';
import { recordSuccessfulLoginAttemptPg } from '../postgres/login-throttle.ts';
import { createAccountPg } from '../postgres/new-account.ts';
import { insertRefreshTokenFamilyPg } from '../postgres/refresh-tokens.ts';
import { type PgTx, runUnit } from '../postgres/transaction.ts';
import { openUserSessionPg } from '../postgres/user-sessions.ts';
import { insertUserPg, recordSuccessfulLoginPg } from '../postgres/users.ts';
import type { AuditFor } from '../queries/audit-builder.ts';
import { insertAuditEntry } from '../queries/audit-log.ts';
import {
  type LoginAttemptSource,
  recordSuccessfulLoginAttempt,
} from '../queries/login-throttle.ts';
import {
  type CreatedAccount,
  type NewAccount,
  type NewAccountResult,
  createAccount,
} from '../queries/new-account.ts';
import { type NewRefreshToken, insertRefreshTokenFamily } from '../queries/refresh-tokens.ts';
import { openUserSession } from '../queries/user-sessions.ts';
import {
  type NewUser,
  type VerifiedLogin,
  insertUser,
  recordSuccessfulLogin,
} from '../queries/users.ts';
import type { User, UserSession } from '../schema.ts';

/**
 * What every sign-in writes beside its user part: a new device (the first refresh token of a new
 * family) and, when `room.opensFor(user)`, a session in the fresh room `room.roomName` with its
 * audit entry.
 */
export interface NewSignIn {
  device: Omit<NewRefreshToken, 'userId'>;
  room: {
    roomName: string;
    /** Whether this user gets the room with the sign-in; pure (a unit may run it again). */
    opensFor: (user: User) => boolean;
    audit: AuditFor<UserSession>;
  };
}

/** What a sign-in wrote: the user, the device's family, the fresh room's session if any. */
export interface SignInRecord {
  user: User;
  familyId: string;
  session: UserSession | null;
}

export type SignUpResult =
  ({ status: 'created' } & SignInRecord) | Exclude<NewAccountResult, { status: 'created' }>;

/** A guest account: no address anyone reads, a password nobody knows. */
export type NewGuest = Pick<NewUser, 'email' | 'fullName' | 'passwordHash'>;

/**
 * Signing in on a new device, each way as one unit: the user part (a new account, a login's
 * stamp and throttle, a guest), the device and the fresh room's session commit together or not
 * at all. A fresh room name that is already taken throws (it has 122 random bits: something is
 * badly wrong) and rolls the whole sign-in back.
 */
export interface SignInStore {
  /** A sign-up (see `UserStore.createAccount`: MAX_USERS, exact across replicas; the invitation). */
  signUp(
    account: NewAccount,
    signIn: NewSignIn,
    nowMs: number,
    audit?: AuditFor<CreatedAccount>,
  ): Promise<SignUpResult>;
  /**
   * A password that matched: `undefined`, writing nothing, if the account was suspended or given
   * another password meanwhile; else stamps the login, settles the attempt in the login throttle
   * (clears its pair, remembers the IP and device) and records `audit`'s entry.
   */
  logIn(
    login: VerifiedLogin,
    attempt: LoginAttemptSource,
    signIn: NewSignIn,
    nowMs: number,
    audit: AuditFor<User>,
  ): Promise<SignInRecord | undefined>;
  /** A guest account (role `guest`); `undefined` if its email is taken. */
  createGuest(
    guest: NewGuest,
    signIn: NewSignIn,
    nowMs: number,
    audit: AuditFor<User>,
  ): Promise<SignInRecord | undefined>;
}

const freshRoomTaken = () => new Error('a freshly generated room name is already taken');

function startSignInSqlite(db: Db, user: User, signIn: NewSignIn, nowMs: number): SignInRecord {
  const family = insertRefreshTokenFamily(db, { ...signIn.device, userId: user.id }, nowMs);
  const { room } = signIn;
  if (!room.opensFor(user)) return { user, familyId: family.familyId, session: null };
  const session = openUserSession(
    db,
    { userId: user.id, roomName: room.roomName, participantIdentity: user.id },
    nowMs,
  );
  if (!session) throw freshRoomTaken();
  const entry = room.audit(session);
  if (entry) insertAuditEntry(db, entry, nowMs);
  return { user, familyId: family.familyId, session };
}

async function startSignInPg(
  tx: PgTx,
  user: User,
  signIn: NewSignIn,
  nowMs: number,
): Promise<SignInRecord> {
  const family = await insertRefreshTokenFamilyPg(tx, { ...signIn.device, userId: user.id }, nowMs);
  const { room } = signIn;
  if (!room.opensFor(user)) return { user, familyId: family.familyId, session: null };
  const session = await openUserSessionPg(
    tx,
    { userId: user.id, roomName: room.roomName, participantIdentity: user.id },
    nowMs,
  );
  if (!session) throw freshRoomTaken();
  const entry = room.audit(session);
  if (entry) await insertAuditEntryPg(tx, entry, nowMs);
  return { user, familyId: family.familyId, session };
}

const guestUser = (guest: NewGuest): NewUser => ({ ...guest, role: 'guest' });

/** SQLite: each sign-in is one piece of work of the group commit (a savepoint of its batch). */
export function sqliteSignInStore({ groupCommit }: AttuneDatabase): SignInStore {
  return {
    signUp: (account, signIn, nowMs, audit) =>
      groupCommit.run((db): SignUpResult => {
        const result = createAccount(db, account, nowMs, audit);
        if (result.status !== 'created') return result;
        return { status: 'created', ...startSignInSqlite(db, result.user, signIn, nowMs) };
      }),
    logIn: (login, attempt, signIn, nowMs, audit) =>
      groupCommit.run((db) => {
        const user = recordSuccessfulLogin(db, login, nowMs);
        if (!user) return undefined;
        recordSuccessfulLoginAttempt(db, attempt, nowMs);
        const entry = audit(user);
        if (entry) insertAuditEntry(db, entry, nowMs);
        return startSignInSqlite(db, user, signIn, nowMs);
      }),
    createGuest: (guest, signIn, nowMs, audit) =>
      groupCommit.run((db) => {
        const user = insertUser(db, guestUser(guest), nowMs);
        if (!user) return undefined;
        const entry = audit(user);
        if (entry) insertAuditEntry(db, entry, nowMs);
        return startSignInSqlite(db, user, signIn, nowMs);
      }),
  };
}

/**
 * PostgreSQL: a sign-up takes the MAX_USERS lock (`createAccountPg`), a login's stamp is a
 * conditional update (a suspension or new password committed by another replica wins) and its
 * throttle rows are settled under the email's lock (`recordSuccessfulLoginAttemptPg`).
 */
export function postgresSignInStore({ db }: PostgresDatabase): SignInStore {
  return {
    signUp: (account, signIn, nowMs, audit) =>
      runUnit(db, async (tx): Promise<SignUpResult> => {
        const result = await createAccountPg(tx, account, nowMs, audit);
        if (result.status !== 'created') return result;
        return { status: 'created', ...(await startSignInPg(tx, result.user, signIn, nowMs)) };
      }),
    logIn: (login, attempt, signIn, nowMs, audit) =>
      runUnit(db, async (tx) => {
        const user = await recordSuccessfulLoginPg(tx, login, nowMs);
        if (!user) return undefined;
        await recordSuccessfulLoginAttemptPg(tx, attempt, nowMs);
        const entry = audit(user);
        if (entry) await insertAuditEntryPg(tx, entry, nowMs);
        return startSignInPg(tx, user, signIn, nowMs);
      }),
    createGuest: (guest, signIn, nowMs, audit) =>
      runUnit(db, async (tx) => {
        const user = await insertUserPg(tx, guestUser(guest), nowMs);
        if (!user) return undefined;
        const entry = audit(user);
        if (entry) await insertAuditEntryPg(tx, entry, nowMs);
        return startSignInPg(tx, user, signIn, nowMs);
      }),
  };
}
