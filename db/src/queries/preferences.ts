import { and, asc, count, eq, sql } from 'drizzle-orm';
import type { Db } from '../open-database.ts';
import { prepared } from '../prepared.ts';
import { type UserPreference, userPreferences } from '../schema.ts';

export type SavePreferenceResult = 'saved' | 'limit_reached';

const preferenceCount = (db: Db) =>
  db
    .select({ n: count() })
    .from(userPreferences)
    .where(eq(userPreferences.userId, sql.placeholder('userId')))
    .prepare();

const upsertPreference = (db: Db) =>
  db
    .insert(userPreferences)
    .values({
      userId: sql.placeholder('userId'),
      key: sql.placeholder('key'),
      value: sql.placeholder('value'),
      updatedAt: sql.placeholder('nowMs'),
    })
    .onConflictDoUpdate({
      target: [userPreferences.userId, userPreferences.key],
      set: { value: sql`excluded.value`, updatedAt: sql`excluded.updated_at` },
    })
    .prepare();

const preferenceByKey = (db: Db) =>
  db
    .select({ key: userPreferences.key })
    .from(userPreferences)
    .where(
      and(
        eq(userPreferences.userId, sql.placeholder('userId')),
        eq(userPreferences.key, sql.placeholder('key')),
      ),
    )
    .prepare();

/**
 * Stores `key = value` for the user, replacing an earlier value of the same key. A new key is
 * refused once the user already has `maxPerUser` keys. Run it inside a transaction so the count
 * and the insert see the same rows.
 */
export function savePreference(
  db: Db,
  input: { userId: string; key: string; value: string; maxPerUser: number },
  nowMs: number,
): SavePreferenceResult {
  const { userId, key, value, maxPerUser } = input;
  const isNewKey = prepared(db, preferenceByKey).get({ userId, key }) === undefined;
  if (isNewKey && (prepared(db, preferenceCount).get({ userId })?.n ?? 0) >= maxPerUser)
    return 'limit_reached';
  prepared(db, upsertPreference).run({ userId, key, value, nowMs });
  return 'saved';
}

/** Deletes one of the user's preferences; false when the user had no such key. */
export function deletePreference(db: Db, userId: string, key: string): boolean {
  return (
    db
      .delete(userPreferences)
      .where(and(eq(userPreferences.userId, userId), eq(userPreferences.key, key)))
      .run().changes === 1
  );
}

const preferencesOfUser = (db: Db) =>
  db
    .select()
    .from(userPreferences)
    .where(eq(userPreferences.userId, sql.placeholder('userId')))
    .orderBy(asc(userPreferences.key))
    .prepare();

/** All of the user's preferences, by key. */
export function listPreferences(db: Db, userId: string): UserPreference[] {
  return prepared(db, preferencesOfUser).all({ userId });
}

/**
 * The one spelling of a preference key, used by the agent and the API alike: "Answer length",
 * "answer_length" and " ANSWER  length " are all "answer length". Empty for a key of only spaces
 * and underscores, or only dots (`.` and `..` could never be named in a URL path: clients resolve
 * them away); callers refuse it.
 */
export function normalizePreferenceKey(key: string): string {
  const normalized = key
    .toLowerCase()
    .replace(/[\s_]+/g, ' ')
    .trim();
  return /^[.\s]*$/.test(normalized) ? '' : normalized;
}
