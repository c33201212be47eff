import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionPageCursor } from '../queries/session-analytics.ts';
import { STORE_ENGINES, type TestStore, openTestStore } from './test-stores.ts';

// Ids whose byte order differs from a natural-language collation's (case, '-' and '_').
const IDS = ['B-1', 'a_1', 'a-1', 'A1', 'b1', 'Z', '_x', 'a1'];

describe.each(STORE_ENGINES)('session listings on %s', (engine) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore(engine);
    await t.addUser('alice');
    await t.addUser('bob');
  });
  afterEach(() => t.close());

  const listAll = async (query: { limit: number; userId?: string; status?: 'active' }) => {
    const ids: string[] = [];
    let after: SessionPageCursor | undefined;
    for (;;) {
      const page = await t.store.sessionListings.list({
        filter: query.userId === undefined ? {} : { userId: query.userId },
        status: query.status,
        limit: query.limit,
        after,
      });
      ids.push(...page.sessions.map((s) => s.id));
      if (!page.next) return ids;
      after = page.next;
    }
  };

  it('pages newest first, ids in byte order within one instant, the same on both engines', async () => {
    for (const id of IDS) await t.addSession({ id, userId: 'alice', issuedAt: 1_000 });
    await t.addSession({ id: 'newer', userId: 'alice', issuedAt: 2_000 });
    const byteOrderDesc = [...IDS].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
    expect(await listAll({ limit: 3 })).toEqual(['newer', ...byteOrderDesc]);
    expect(await listAll({ limit: 100 })).toEqual(['newer', ...byteOrderDesc]);
  });

  it('filters by user, status, joined only and period', async () => {
    await t.addSession({ id: 's1', userId: 'alice', issuedAt: 1_000 });
    await t.addSession({
      id: 's2',
      userId: 'bob',
      issuedAt: 2_000,
      status: 'active',
      sessionStart: 2_100,
    });
    await t.addSession({
      id: 's3',
      userId: 'alice',
      issuedAt: 3_000,
      status: 'active',
      sessionStart: 3_100,
    });
    expect(await listAll({ limit: 10, userId: 'alice' })).toEqual(['s3', 's1']);
    expect(await listAll({ limit: 10, status: 'active' })).toEqual(['s3', 's2']);
    const joined = await t.store.sessionListings.list({
      filter: { userId: 'alice' },
      joinedOnly: true,
      limit: 10,
    });
    expect(joined.sessions.map((s) => s.id)).toEqual(['s3']);
    const period = await t.store.sessionListings.list({
      filter: { fromMs: 2_000, toMs: 3_000 },
      limit: 10,
    });
    expect(period).toMatchObject({ next: null, sessions: [{ id: 's2', roomName: 'room-s2' }] });
  });
});
