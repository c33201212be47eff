import { describe, expect, it } from 'vitest';
import { sortPreferences, upsertPreference } from './memory-data.ts';

const pref = (key: string, value = 'v') => ({ key, value, updated_at: '2025-11-03T10:00:00.000Z' });

describe('preferences list', () => {
  it('sorts by key like the service', () => {
    expect(
      sortPreferences([pref('units'), pref('answer length'), pref('name')]).map((p) => p.key),
    ).toEqual(['answer length', 'name', 'units']);
  });

  it('replaces a saved preference in place and adds a new one in order', () => {
    const list = [pref('answer length', 'short'), pref('units', 'metric')];
    expect(upsertPreference(list, pref('units', 'imperial'))).toEqual([
      pref('answer length', 'short'),
      pref('units', 'imperial'),
    ]);
    expect(upsertPreference(list, pref('name', 'Ada')).map((p) => p.key)).toEqual([
      'answer length',
      'name',
      'units',
    ]);
  });
});
