import type { AttuneDatabase } from '../open-database.ts';
import type { PostgresDatabase } from '../open-postgres.ts';
import {
  deletePreferencePg,
  listPreferencesPg,
  savePreferencePg,
} from '../postgres/preferences.ts';
import {
  type SavePreferenceResult,
  deletePreference,
  listPreferences,
  savePreference,
} from '../queries/preferences.ts';
import type { UserPreference } from '../schema.ts';
import { runSync } from './run-sync.ts';

/** A user's preferences (the agent's memory of them), the same on both engines. */
export interface PreferenceStore {
  /** Stores `key = value`, refusing a new key once the user has `maxPerUser` keys. */
  save(
    input: { userId: string; key: string; value: string; maxPerUser: number },
    nowMs: number,
  ): Promise<SavePreferenceResult>;
  /** Deletes one of the user's preferences; false when the user had no such key. */
  delete(userId: string, key: string): Promise<boolean>;
  /** All of the user's preferences, by key. */
  list(userId: string): Promise<UserPreference[]>;
}

/** SQLite: each write is a unit of the group commit, so a count and its insert never interleave. */
export function sqlitePreferenceStore({ db, groupCommit }: AttuneDatabase): PreferenceStore {
  return {
    save: (input, nowMs) => groupCommit.run((tx) => savePreference(tx, input, nowMs)),
    delete: (userId, key) => groupCommit.run((tx) => deletePreference(tx, userId, key)),
    list: (userId) => runSync(() => listPreferences(db, userId)),
  };
}

export function postgresPreferenceStore({ db }: PostgresDatabase): PreferenceStore {
  return {
    save: (input, nowMs) => savePreferencePg(db, input, nowMs),
    delete: (userId, key) => deletePreferencePg(db, userId, key),
    list: (userId) => listPreferencesPg(db, userId),
  };
}
