import { and, count, eq, sql } from 'drizzle-orm';
import type { PgDb } from '../open-postgres.ts';
import type { SavePreferenceResult } from '../queries/preferences.ts';
import { userPreferences, users } from '../schema.pg.ts';
import { type UserPreference } from '../schema.ts';
import { type PgTx, runUnit } from './transaction.ts';

/**
 * PostgreSQL's `savePreference`: the same rule as SQLite's (a new key is refused once the user
 * has `maxPerUser`), made safe across replicas. Under READ COMMITTED two transactions could
 * both count 4 and both insert; locking the user's row first makes every save of one user wait
 * for the one before it, so the count is always current.
 */
export function savePreferencePg(
  db: PgDb,
  input: { userId: string; key: string; value: string; maxPerUser: number },
  nowMs: number,
): Promise<SavePreferenceResult> {
  const { userId, key, value, maxPerUser } = input;
  return runUnit(db, async (tx) => {
    await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for('update');
    const [existing] = await tx
      .select({ key: userPreferences.key })
      .from(userPreferences)
      .where(and(eq(userPreferences.userId, userId), eq(userPreferences.key, key)));
    if (existing === undefined) {
      const [row] = await tx
        .select({ n: count() })
        .from(userPreferences)
        .where(eq(userPreferences.userId, userId));
      if ((row?.n ?? 0) >= maxPerUser) return 'limit_reached';
    }
    await tx
      .insert(userPreferences)
      .values({ userId, key, value, updatedAt: nowMs })
      .onConflictDoUpdate({
        target: [userPreferences.userId, userPreferences.key],
        set: { value: sql`excluded.value`, updatedAt: sql`excluded.updated_at` },
      });
    return 'saved';
  });
}

/** Deletes one of the user's preferences; false when the user had no such key. */
export async function deletePreferencePg(
  db: PgDb | PgTx,
  userId: string,
  key: string,
): Promise<boolean> {
  const deleted = await db
    .delete(userPreferences)
    .where(and(eq(userPreferences.userId, userId), eq(userPreferences.key, key)))
    .returning({ key: userPreferences.key });
  return deleted.length === 1;
}

/** All of the user's preferences, by key in byte order (SQLite's order, whatever the server's locale). */
export function listPreferencesPg(db: PgDb | PgTx, userId: string): Promise<UserPreference[]> {
  return db
    .select()
    .from(userPreferences)
    .where(eq(userPreferences.userId, userId))
    .orderBy(sql`${userPreferences.key} COLLATE "C"`);
}
