import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STORE_ENGINES, type TestStore, openTestStore } from './test-stores.ts';

describe.each(STORE_ENGINES)('preferences on %s', (engine) => {
  let t: TestStore;

  beforeEach(async () => {
    t = await openTestStore(engine);
    await t.addUser('ana');
    await t.addUser('ben');
  });
  afterEach(() => t.close());

  it('saves, replaces, lists in byte order and deletes a user’s own keys only', async () => {
    const input = { userId: 'ana', maxPerUser: 5 };
    expect(await t.store.preferences.save({ ...input, key: 'tone', value: 'warm' }, 10)).toBe(
      'saved',
    );
    expect(await t.store.preferences.save({ ...input, key: 'Zeta', value: 'z' }, 11)).toBe('saved');
    expect(await t.store.preferences.save({ ...input, key: 'tone', value: 'dry' }, 12)).toBe(
      'saved',
    );
    await t.store.preferences.save({ userId: 'ben', maxPerUser: 5, key: 'tone', value: 'b' }, 13);
    expect(await t.store.preferences.list('ana')).toEqual([
      { userId: 'ana', key: 'Zeta', value: 'z', updatedAt: 11 },
      { userId: 'ana', key: 'tone', value: 'dry', updatedAt: 12 },
    ]);
    expect(await t.store.preferences.delete('ana', 'tone')).toBe(true);
    expect(await t.store.preferences.delete('ana', 'tone')).toBe(false);
    expect(await t.store.preferences.list('ben')).toHaveLength(1);
  });

  it('refuses a new key at the cap but still replaces an existing one', async () => {
    const input = { userId: 'ana', maxPerUser: 2 };
    await t.store.preferences.save({ ...input, key: 'a', value: '1' }, 1);
    await t.store.preferences.save({ ...input, key: 'b', value: '1' }, 1);
    expect(await t.store.preferences.save({ ...input, key: 'c', value: '1' }, 2)).toBe(
      'limit_reached',
    );
    expect(await t.store.preferences.save({ ...input, key: 'b', value: '2' }, 2)).toBe('saved');
    expect((await t.store.preferences.list('ana')).map((p) => `${p.key}=${p.value}`)).toEqual([
      'a=1',
      'b=2',
    ]);
  });

  it('stores exactly the cap when 10 new keys arrive at once over two replicas', async () => {
    const replicas = [t.store, await t.replica()];
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        replicas[i % 2]!.preferences.save(
          { userId: 'ana', key: `key-${i}`, value: String(i), maxPerUser: 5 },
          100 + i,
        ),
      ),
    );
    expect(results.filter((r) => r === 'saved')).toHaveLength(5);
    expect(await t.store.preferences.list('ana')).toHaveLength(5);
  });
});
