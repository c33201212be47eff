import { and, count, eq, exists, gt, isNull, lt, ne, sql } from 'drizzle-orm';
import { newId } from '../ids.ts';
import type { PgDb } from '../open-postgres.ts';
import { GUEST_EMAIL_DOMAIN, type NewUser, type VerifiedLogin } from '../queries/users.ts';
import { refreshTokens, users } from '../schema.pg.ts';
import type { User, UserRole, UserStatus } from '../schema.ts';
import type { PgTx } from './transaction.ts';

/** PostgreSQL's `insertUser`: `undefined` when the (already normalised) email is taken. */
export async function insertUserPg(
  db: PgDb | PgTx,
  input: NewUser,
  nowMs: number,
): Promise<User | undefined> {
  const [user] = await db
    .insert(users)
    .values({ id: newId(), ...input, createdAt: nowMs })
    .onConflictDoNothing({ target: users.email })
    .returning();
  return user;
}

export async function findUserByIdPg(db: PgDb | PgTx, id: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.id, id));
  return user;
}

/**
 * The user's row locked until the end of the caller's transaction: a unit that reads it to decide
 * a write (a pending email, a state transition) holds it so another replica waits its turn.
 */
export async function lockUserPg(tx: PgTx, id: string): Promise<User | undefined> {
  const [user] = await tx.select().from(users).where(eq(users.id, id)).for('update');
  return user;
}

export async function findUserByEmailPg(db: PgDb | PgTx, email: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.email, email));
  return user;
}

/** PostgreSQL's `findSignedInUser`: the user while the access token's device is still signed in. */
export async function findSignedInUserPg(
  db: PgDb | PgTx,
  userId: string,
  familyId: string,
  nowMs: number,
): Promise<User | undefined> {
  const [user] = await db
    .select()
    .from(users)
    .where(
      and(
        eq(users.id, userId),
        exists(
          db
            .select({ one: sql`1` })
            .from(refreshTokens)
            .where(
              and(
                eq(refreshTokens.userId, users.id),
                eq(refreshTokens.familyId, familyId),
                isNull(refreshTokens.revokedAt),
                gt(refreshTokens.expiresAt, nowMs),
              ),
            ),
        ),
      ),
    );
  return user;
}

/**
 * PostgreSQL's `recordSuccessfulLogin`: one conditional update, so a suspension or a password
 * change committed by another replica while bcrypt ran wins.
 */
export async function recordSuccessfulLoginPg(
  db: PgDb | PgTx,
  login: VerifiedLogin,
  nowMs: number,
): Promise<User | undefined> {
  const [user] = await db
    .update(users)
    .set({ lastLogin: nowMs, ...(login.rehashed ? { passwordHash: login.rehashed } : {}) })
    .where(
      and(
        eq(users.id, login.userId),
        eq(users.status, 'active'),
        eq(users.passwordHash, login.verifiedHash),
      ),
    )
    .returning();
  return user;
}

export async function setUserStatusPg(
  db: PgDb | PgTx,
  userId: string,
  status: UserStatus,
): Promise<User | undefined> {
  const [user] = await db.update(users).set({ status }).where(eq(users.id, userId)).returning();
  return user;
}

export async function updatePasswordHashPg(
  db: PgDb | PgTx,
  userId: string,
  passwordHash: string,
): Promise<void> {
  await db.update(users).set({ passwordHash }).where(eq(users.id, userId));
}

export async function setUserRolePg(
  db: PgDb | PgTx,
  userId: string,
  role: UserRole,
): Promise<User | undefined> {
  const [user] = await db.update(users).set({ role }).where(eq(users.id, userId)).returning();
  return user;
}

/**
 * PostgreSQL's `findExpiredGuests`. SQLite's LIKE ignores ASCII case and PostgreSQL's does not:
 * ILIKE keeps SQLite's answer.
 */
export function findExpiredGuestsPg(
  db: PgDb | PgTx,
  createdBefore: number,
): Promise<Pick<User, 'id'>[]> {
  return db
    .select({ id: users.id })
    .from(users)
    .where(
      and(
        eq(users.role, 'guest'),
        sql`${users.email} ILIKE ${`%@${GUEST_EMAIL_DOMAIN}`}`,
        lt(users.createdAt, createdBefore),
      ),
    );
}

/** Deletes the user; foreign keys remove everything they own. */
export async function deleteUserPg(db: PgDb | PgTx, userId: string): Promise<boolean> {
  const deleted = await db.delete(users).where(eq(users.id, userId)).returning({ id: users.id });
  return deleted.length === 1;
}

/** Accounts that are not guests: what `MAX_USERS` limits. */
export async function countNonGuestUsersPg(db: PgDb | PgTx): Promise<number> {
  const [row] = await db.select({ n: count() }).from(users).where(ne(users.role, 'guest'));
  return row?.n ?? 0;
}

/** PostgreSQL's `createUserWithoutPassword`: `undefined` when the email is taken. */
export async function createUserWithoutPasswordPg(
  db: PgDb | PgTx,
  input: { email: string; fullName: string; role: UserRole },
  nowMs: number,
): Promise<User | undefined> {
  const [user] = await db
    .insert(users)
    .values({ id: newId(), ...input, passwordHash: null, createdAt: nowMs })
    .onConflictDoNothing({ target: users.email })
    .returning();
  return user;
}

/** Stamps the address as proven now, keeping an earlier stamp; returns the user. */
export async function markEmailVerifiedPg(
  db: PgDb | PgTx,
  userId: string,
  nowMs: number,
): Promise<User | undefined> {
  const [user] = await db
    .update(users)
    .set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${nowMs}::bigint)` })
    .where(eq(users.id, userId))
    .returning();
  return user;
}

export async function updateFullNamePg(
  db: PgDb | PgTx,
  userId: string,
  fullName: string,
): Promise<User | undefined> {
  const [user] = await db.update(users).set({ fullName }).where(eq(users.id, userId)).returning();
  return user;
}
