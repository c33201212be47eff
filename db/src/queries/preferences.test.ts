import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertTestUsers, openTempDatabase } from '../testing.ts';
import {
  deletePreference,
  listPreferences,
  normalizePreferenceKey,
  savePreference,
} from './preferences.ts';

let database: ReturnType<typeof openTempDatabase>;
let alice: string;
let bob: string;

beforeEach(() => {
  database = openTempDatabase();
  [alice, bob] = insertTestUsers(database.db, 'alice', 'bob') as [string, string];
});
afterEach(() => database.remove());

const save = (userId: string, key: string, value: string, nowMs = 100, maxPerUser = 10) =>
  savePreference(database.db, { userId, key, value, maxPerUser }, nowMs);

describe('user preferences', () => {
  it('stores a preference and replaces its value when the key is saved again', () => {
    expect(save(alice, 'units', 'imperial', 100)).toBe('saved');
    expect(save(alice, 'units', 'metric', 200)).toBe('saved');
    expect(listPreferences(database.db, alice)).toEqual([
      { userId: alice, key: 'units', value: 'metric', updatedAt: 200 },
    ]);
  });

  it('lists and deletes only the given user’s keys', () => {
    save(alice, 'units', 'metric');
    save(bob, 'units', 'imperial');
    expect(deletePreference(database.db, bob, 'units')).toBe(true);
    expect(deletePreference(database.db, bob, 'units')).toBe(false);
    expect(listPreferences(database.db, alice).map((p) => p.value)).toEqual(['metric']);
    expect(listPreferences(database.db, bob)).toEqual([]);
  });

  it('refuses a new key past the per-user limit but still updates existing keys', () => {
    expect(save(alice, 'a', '1', 100, 2)).toBe('saved');
    expect(save(alice, 'b', '2', 100, 2)).toBe('saved');
    expect(save(alice, 'c', '3', 100, 2)).toBe('limit_reached');
    expect(save(alice, 'b', 'two', 100, 2)).toBe('saved');
    expect(save(bob, 'c', '3', 100, 2)).toBe('saved');
    expect(listPreferences(database.db, alice).map((p) => `${p.key}=${p.value}`)).toEqual([
      'a=1',
      'b=two',
    ]);
  });

  it('normalises keys one way, and empties keys no URL path could name', () => {
    expect(normalizePreferenceKey(' Answer__LENGTH ')).toBe('answer length');
    expect(normalizePreferenceKey('e.g. units')).toBe('e.g. units');
    for (const key of ['.', '..', ' . . ', '___', ''])
      expect(normalizePreferenceKey(key), JSON.stringify(key)).toBe('');
  });
});
