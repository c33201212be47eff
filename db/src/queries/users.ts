import { and, count, eq, exists, gt, isNull, lt, ne, sql } from 'drizzle-orm';
import { newId } from '../ids.ts';
import type { Db } from '../open-database.ts';
import { prepared } from '../prepared.ts';
import { type User, type UserRole, type UserStatus, refreshTokens, users } from '../schema.ts';

export interface NewUser {
  email: string;
  fullName: string;
  passwordHash: string;
  role?: UserRole;
  /** When the address was proven; unset for a new sign-up (it is mailed a verification link). */
  emailVerifiedAt?: number | null;
}

/** Inserts a user; `undefined` when the (already normalised) email is taken. */
export function insertUser(db: Db, input: NewUser, nowMs: number): User | undefined {
  return db
    .insert(users)
    .values({ id: newId(), ...input, createdAt: nowMs })
    .onConflictDoNothing({ target: users.email })
    .returning()
    .get();
}

const userById = (db: Db) =>
  db
    .select()
    .from(users)
    .where(eq(users.id, sql.placeholder('id')))
    .prepare();

export function findUserById(db: Db, id: string): User | undefined {
  return prepared(db, userById).get({ id });
}

const signedInUser = (db: Db) =>
  db
    .select()
    .from(users)
    .where(
      and(
        eq(users.id, sql.placeholder('userId')),
        exists(
          db
            .select({ one: sql`1` })
            .from(refreshTokens)
            .where(
              and(
                eq(refreshTokens.userId, users.id),
                eq(refreshTokens.familyId, sql.placeholder('familyId')),
                isNull(refreshTokens.revokedAt),
                gt(refreshTokens.expiresAt, sql.placeholder('nowMs')),
              ),
            ),
        ),
      ),
    )
    .prepare();

/**
 * The user, if they are still signed in on the device (refresh-token family) an access token
 * names: the family has a token that is neither revoked nor expired. One query per request.
 */
export function findSignedInUser(
  db: Db,
  userId: string,
  familyId: string,
  nowMs: number,
): User | undefined {
  return prepared(db, signedInUser).get({ userId, familyId, nowMs });
}

export function findUserByEmail(db: Db, email: string): User | undefined {
  return db.select().from(users).where(eq(users.email, email)).get();
}

export interface VerifiedLogin {
  userId: string;
  /** The hash the password was checked against: if it changed since, the login does not count. */
  verifiedHash: string;
  /** The same password hashed at the current cost, when the stored hash used another. */
  rehashed?: string | undefined;
}

/**
 * A successful sign-in: stamps `last_login` and stores a re-hash if one is given, but only while
 * the account is still active and still has the hash the password was verified against (a
 * suspension or a password change during bcrypt wins). Returns the updated user, or `undefined`
 * when it no longer qualifies. The login throttle is cleared separately (login-throttle.ts).
 */
export function recordSuccessfulLogin(
  db: Db,
  login: VerifiedLogin,
  nowMs: number,
): User | undefined {
  return db
    .update(users)
    .set({
      lastLogin: nowMs,
      ...(login.rehashed ? { passwordHash: login.rehashed } : {}),
    })
    .where(
      and(
        eq(users.id, login.userId),
        eq(users.status, 'active'),
        eq(users.passwordHash, login.verifiedHash),
      ),
    )
    .returning()
    .get();
}

/** Suspends or reactivates a user; returns the updated user. */
export function setUserStatus(db: Db, userId: string, status: UserStatus): User | undefined {
  return db.update(users).set({ status }).where(eq(users.id, userId)).returning().get();
}

/** Replaces a user's password hash (a password change). */
export function updatePasswordHash(db: Db, userId: string, passwordHash: string): void {
  db.update(users).set({ passwordHash }).where(eq(users.id, userId)).run();
}

export function setUserRole(db: Db, userId: string, role: UserRole): User | undefined {
  return db.update(users).set({ role }).where(eq(users.id, userId)).returning().get();
}

/** The email domain of guest accounts (`.invalid` is reserved: it can never receive mail). */
export const GUEST_EMAIL_DOMAIN = 'guests.attune.invalid';

/**
 * Guest accounts (made by POST /auth/guest: role `guest` and a guest email) created before
 * `createdBefore`, to be deleted with everything they own.
 */
export function findExpiredGuests(db: Db, createdBefore: number): Pick<User, 'id'>[] {
  return db
    .select({ id: users.id })
    .from(users)
    .where(
      and(
        eq(users.role, 'guest'),
        sql`${users.email} LIKE ${`%@${GUEST_EMAIL_DOMAIN}`}`,
        lt(users.createdAt, createdBefore),
      ),
    )
    .all();
}

/** Deletes the user; foreign keys remove their tokens, rooms, sessions, preferences and turns. */
export function deleteUser(db: Db, userId: string): boolean {
  return db.delete(users).where(eq(users.id, userId)).run().changes === 1;
}

/** Accounts that are not guests: what `MAX_USERS` limits. */
export function countNonGuestUsers(db: Db): number {
  return db.select({ n: count() }).from(users).where(ne(users.role, 'guest')).get()?.n ?? 0;
}

/**
 * Inserts a user with no password (`password_hash` NULL: no password matches until one is set
 * through a set-password link). `undefined` when the (normalised) email is taken.
 */
export function createUserWithoutPassword(
  db: Db,
  input: { email: string; fullName: string; role: UserRole },
  nowMs: number,
): User | undefined {
  return db
    .insert(users)
    .values({ id: newId(), ...input, passwordHash: null, createdAt: nowMs })
    .onConflictDoNothing({ target: users.email })
    .returning()
    .get();
}

/** Stamps the address as proven now, keeping an earlier stamp; returns the user. */
export function markEmailVerified(db: Db, userId: string, nowMs: number): User | undefined {
  return db
    .update(users)
    .set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${nowMs})` })
    .where(eq(users.id, userId))
    .returning()
    .get();
}

/** Changes the display name; returns the user (`undefined` for an unknown id). */
export function updateFullName(db: Db, userId: string, fullName: string): User | undefined {
  return db.update(users).set({ fullName }).where(eq(users.id, userId)).returning().get();
}
