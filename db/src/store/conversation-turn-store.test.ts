import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HistoryCursor } from '../queries/account.ts';
import { STORE_ENGINES, type TestStore, openTestStore } from './test-stores.ts';

describe.each(STORE_ENGINES)('conversation turns on %s', (engine) => {
  let t: TestStore;

  beforeEach(async () => {
    t = await openTestStore(engine);
    await t.addUser('ana');
    await t.addUser('ben');
  });
  afterEach(() => t.close());

  const say = (userId: string, sessionId: string | null, text: string, atMs: number) =>
    t.addTurn({ userId, sessionId, role: 'user', text }, atMs);
  const texts = (turns: { text: string }[]) => turns.map((turn) => turn.text);
  const clientTurn = (id: string, atMs: number) => ({
    clientTurnId: id,
    role: 'user' as const,
    text: `turn ${id}`,
    createdAt: atMs,
  });

  describe('appendClientTurns', () => {
    beforeEach(async () => {
      await t.addSession({ id: 's-ana', userId: 'ana', issuedAt: 1 });
      await t.addSession({ id: 's-ben', userId: 'ben', issuedAt: 1 });
    });
    const owner = { userId: 'ana', sessionId: 's-ana' };

    it('stores a batch in order, and a turn id the session already has once', async () => {
      const turns = t.store.conversationTurns;
      expect(await turns.appendClientTurns(owner, [clientTurn('a', 5), clientTurn('b', 5)])).toBe(
        2,
      );
      expect(
        await turns.appendClientTurns(owner, [
          clientTurn('a', 5),
          clientTurn('b', 5),
          clientTurn('c', 6),
          clientTurn('c', 6),
        ]),
      ).toBe(1);
      // The same ids in another session are other turns.
      expect(
        await turns.appendClientTurns({ userId: 'ben', sessionId: 's-ben' }, [clientTurn('a', 1)]),
      ).toBe(1);
      expect(await turns.appendClientTurns(owner, [])).toBe(0);
      expect(texts(await turns.recent('ana', { maxTurns: 10, maxChars: 1000 }))).toEqual([
        'turn a',
        'turn b',
        'turn c',
      ]);
    });

    it('stores none of a batch that fails part-way', async () => {
      const failed = await t.store.conversationTurns
        .appendClientTurns(owner, [
          clientTurn('ok', 1),
          { ...clientTurn('bad', 2), role: 'system' as never },
        ])
        .then(
          () => 'stored',
          () => 'refused',
        );
      expect(failed).toBe('refused');
      expect(
        await t.store.conversationTurns.recent('ana', { maxTurns: 10, maxChars: 999 }),
      ).toEqual([]);
    });

    it('stores a batch sent to two replicas at once exactly once', async () => {
      const other = await t.replica();
      const batch = Array.from({ length: 20 }, (_, i) => clientTurn(`t${i}`, 100 + i));
      const stored = await Promise.all([
        t.store.conversationTurns.appendClientTurns(owner, batch),
        other.conversationTurns.appendClientTurns(owner, [...batch].reverse()),
        t.store.conversationTurns.appendClientTurns(owner, batch.slice(5)),
      ]);
      expect(stored.reduce((a, b) => a + b, 0)).toBe(20);
      const all = await t.store.conversationTurns.recent('ana', { maxTurns: 100, maxChars: 1e6 });
      expect(texts(all).sort()).toEqual(texts(batch).sort());
    });
  });

  it('reads the newest turns within the budget, oldest first, same-millisecond turns in order', async () => {
    await say('ana', null, 'one', 1);
    await say('ana', null, 'two', 2);
    await say('ana', null, 'three', 2);
    await say('ben', null, 'not yours', 9);
    const recent = (maxTurns: number, maxChars: number) =>
      t.store.conversationTurns.recent('ana', { maxTurns, maxChars });
    expect(texts(await recent(2, 1000))).toEqual(['two', 'three']);
    expect(texts(await recent(10, 8))).toEqual(['two', 'three']);
    expect(texts(await recent(10, 4))).toEqual([]);
  });

  it('searches the user’s own turns for every word, ignoring ASCII case, wildcards literal', async () => {
    await t.addSession({ id: 'now', userId: 'ana', issuedAt: 1 });
    await say('ana', null, 'I am planning a trip to Lisbon', 1);
    await say('ana', null, 'LISBON is lovely: 50% sunshine', 2);
    await say('ana', 'now', 'back to lisbon?', 3);
    await say('ana', null, 'snake_case names', 4);
    await say('ben', null, 'Lisbon trip for ben', 5);
    const search = (words: string[], excludeSessionId?: string) =>
      t.store.conversationTurns.search('ana', { words, excludeSessionId, limit: 10 }).then(texts);
    expect(await search(['lisbon'])).toEqual([
      'back to lisbon?',
      'LISBON is lovely: 50% sunshine',
      'I am planning a trip to Lisbon',
    ]);
    expect(await search(['lisbon'], 'now')).toHaveLength(2);
    expect(await search(['Lisbon', 'TRIP'])).toEqual(['I am planning a trip to Lisbon']);
    expect(await search(['%'])).toEqual(['LISBON is lovely: 50% sunshine']);
    expect(await search(['_'])).toEqual(['snake_case names']);
    expect(await search(['\\'])).toEqual([]);
  });

  it('reads back the last turns of the conversation before the current one', async () => {
    for (const [id, userId] of [
      ['first', 'ana'],
      ['second', 'ana'],
      ['current', 'ana'],
      ['bens', 'ben'],
    ] as const) {
      await t.addSession({ id, userId, issuedAt: 1 });
    }
    await say('ana', 'first', 'first conversation', 10);
    await say('ana', 'second', 'about gardening', 20);
    await say('ana', 'second', 'tomatoes need sun', 21);
    await say('ana', 'current', 'what did we talk about?', 30);
    await say('ben', 'bens', 'ben’s secret', 40);
    const previous = (userId: string, current: string | null, limit: number) =>
      t.store.conversationTurns.previousSession(userId, current, limit).then(texts);
    expect(await previous('ana', 'current', 10)).toEqual(['about gardening', 'tomatoes need sun']);
    expect(await previous('ana', 'current', 1)).toEqual(['tomatoes need sun']);
    expect(await previous('ana', null, 10)).toEqual(['what did we talk about?']);
    expect(await previous('ben', 'bens', 10)).toEqual([]);
  });

  describe('history pages', () => {
    async function allPages(userId: string, limit: number) {
      const pages: [string | null, number, string[]][][] = [];
      let after: HistoryCursor | undefined;
      for (;;) {
        const page = await t.store.conversationTurns.historyPage(userId, { limit, after });
        pages.push(page.groups.map((g) => [g.sessionId, g.startedAt, texts(g.turns)]));
        if (!page.next) return pages;
        after = page.next;
      }
    }

    it('groups turns by session, newest first, ties broken by session id in byte order', async () => {
      // Upper case sorts before lower case byte-wise; a locale's collation would interleave them.
      for (const id of ['a-low', 'B-up', 'c-low', 'older']) {
        await t.addSession({ id, userId: 'ana', issuedAt: 1 });
      }
      await t.addSession({ id: 'bens', userId: 'ben', issuedAt: 1 });
      await say('ana', 'older', 'old-1', 10);
      await say('ana', null, 'loose-1', 50);
      await say('ana', 'a-low', 'a-1', 100);
      await say('ana', 'B-up', 'B-1', 100);
      await say('ana', 'c-low', 'c-1', 100);
      await say('ana', 'older', 'old-2', 200);
      await say('ana', 'B-up', 'B-2', 300);
      await say('ana', null, 'loose-2', 400);
      await say('ben', 'bens', 'ben-1', 500);
      const expected = [
        ['c-low', 100, ['c-1']],
        ['a-low', 100, ['a-1']],
        ['B-up', 100, ['B-1', 'B-2']],
        [null, 50, ['loose-1', 'loose-2']],
        ['older', 10, ['old-1', 'old-2']],
      ];
      expect((await allPages('ana', 10)).flat()).toEqual(expected);
      const byTwo = await allPages('ana', 2);
      expect(byTwo.map((page) => page.length)).toEqual([2, 2, 1]);
      expect(byTwo.flat()).toEqual(expected);
      expect(await allPages('nobody', 5)).toEqual([[]]);
    });

    it('deletes all of a user’s turns and only theirs', async () => {
      await say('ana', null, 'one', 1);
      await say('ana', null, 'two', 2);
      await say('ben', null, 'stays', 3);
      expect(await t.store.conversationTurns.deleteHistory('ana')).toBe(2);
      expect(await t.store.conversationTurns.deleteHistory('ana')).toBe(0);
      expect((await allPages('ana', 5)).flat()).toEqual([]);
      expect((await allPages('ben', 5)).flat()).toHaveLength(1);
    });
  });
});
