import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertSyntheticTurns, insertTestUsers, openTempDatabase } from '../testing.ts';
import {
  insertConversationTurn,
  previousSessionTurns,
  recentTurns,
  searchTurns,
} from './conversation-turns.ts';
import { insertUserSession } from './user-sessions.ts';

let database: ReturnType<typeof openTempDatabase>;
let alice: string;
let bob: string;

beforeEach(() => {
  database = openTempDatabase();
  [alice, bob] = insertTestUsers(database.db, 'alice', 'bob') as [string, string];
});
afterEach(() => database.remove());

const say = (
  userId: string,
  sessionId: string | null,
  role: 'user' | 'assistant',
  text: string,
  atMs: number,
) => insertConversationTurn(database.db, { userId, sessionId, role, text }, atMs);

const sessionOf = (userId: string, atMs: number) =>
  insertUserSession(
    database.db,
    { userId, roomName: `room-${atMs}`, participantIdentity: userId },
    atMs,
  ).id;

describe('recentTurns', () => {
  it('returns the newest turns that fit the budget, newest last', () => {
    say(alice, null, 'user', 'one', 1);
    say(alice, null, 'assistant', 'two', 2);
    say(alice, null, 'user', 'three', 3);
    say(bob, null, 'user', 'not yours', 4);
    expect(
      recentTurns(database.db, alice, { maxTurns: 2, maxChars: 1000 }).map((t) => t.text),
    ).toEqual(['two', 'three']);
    expect(
      recentTurns(database.db, alice, { maxTurns: 10, maxChars: 8 }).map((t) => t.text),
    ).toEqual(['two', 'three']);
    expect(
      recentTurns(database.db, alice, { maxTurns: 10, maxChars: 4 }).map((t) => t.text),
    ).toEqual([]);
  });

  it('orders turns written in the same millisecond by insertion', () => {
    say(alice, null, 'user', 'first', 5);
    say(alice, null, 'assistant', 'second', 5);
    expect(
      recentTurns(database.db, alice, { maxTurns: 10, maxChars: 1000 }).map((t) => t.text),
    ).toEqual(['first', 'second']);
  });

  it('returns the bounded slice, read through the index, for a user with 100,000 turns', () => {
    insertSyntheticTurns(database.connection, { userId: alice, count: 100_000, startMs: 1_000 });
    say(bob, null, 'user', 'bob’s newest', 1e12);
    const slice = recentTurns(database.db, alice, { maxTurns: 40, maxChars: 3_000 });
    expect(slice.length).toBeGreaterThan(0);
    expect(slice.length).toBeLessThanOrEqual(40);
    expect(slice.reduce((n, t) => n + t.text.length, 0)).toBeLessThanOrEqual(3_000);
    expect(slice.at(-1)?.text).toMatch(/^Answer 99999 /);
    expect(slice.every((t) => t.userId === alice)).toBe(true);
    const createdAt = slice.map((t) => t.createdAt);
    expect(createdAt).toEqual([...createdAt].sort((a, b) => a - b));

    const plan = database.connection
      .prepare(
        'EXPLAIN QUERY PLAN SELECT * FROM conversation_turns WHERE user_id = ? ORDER BY created_at DESC, id DESC LIMIT 40',
      )
      .all(alice) as { detail: string }[];
    const details = plan.map((row) => row.detail).join('\n');
    expect(details).toContain('conversation_turns_user_created_idx');
    expect(details).not.toContain('TEMP B-TREE');
  });
});

describe('searchTurns', () => {
  it('finds the user’s own turns containing every word, newest first, case-insensitively', () => {
    say(alice, null, 'user', 'I am planning a trip to Lisbon', 1);
    say(alice, null, 'assistant', 'Lisbon is lovely in spring', 2);
    say(alice, null, 'user', 'What about Porto?', 3);
    say(bob, null, 'user', 'Lisbon trip for bob', 4);
    expect(
      searchTurns(database.db, alice, { words: ['lisbon'], limit: 10 }).map((t) => t.text),
    ).toEqual(['Lisbon is lovely in spring', 'I am planning a trip to Lisbon']);
    expect(
      searchTurns(database.db, alice, { words: ['lisbon', 'TRIP'], limit: 10 }).map((t) => t.text),
    ).toEqual(['I am planning a trip to Lisbon']);
    expect(searchTurns(database.db, alice, { words: ['lisbon'], limit: 1 })).toHaveLength(1);
  });

  it('leaves out the conversation in progress', () => {
    const earlier = sessionOf(alice, 1);
    const current = sessionOf(alice, 2);
    say(alice, earlier, 'user', 'my cat is called Miso', 10);
    say(alice, null, 'user', 'Miso again, from before sessions were recorded', 11);
    say(alice, current, 'user', 'what is my cat called? Miso?', 20);
    expect(
      searchTurns(database.db, alice, {
        words: ['miso'],
        excludeSessionId: current,
        limit: 10,
      }).map((t) => t.text),
    ).toEqual(['Miso again, from before sessions were recorded', 'my cat is called Miso']);
  });

  it('treats LIKE wildcards in the words literally', () => {
    say(alice, null, 'user', 'a discount of 50% off', 1);
    say(alice, null, 'user', 'fifty percent', 2);
    say(alice, null, 'user', 'snake_case names', 3);
    expect(searchTurns(database.db, alice, { words: ['%'], limit: 10 }).map((t) => t.text)).toEqual(
      ['a discount of 50% off'],
    );
    expect(searchTurns(database.db, alice, { words: ['_'], limit: 10 }).map((t) => t.text)).toEqual(
      ['snake_case names'],
    );
    expect(searchTurns(database.db, alice, { words: ['\\'], limit: 10 })).toEqual([]);
  });
});

describe('previousSessionTurns', () => {
  it('returns the last turns of the most recent earlier conversation of this user only', () => {
    const first = sessionOf(alice, 1);
    const second = sessionOf(alice, 2);
    const current = sessionOf(alice, 3);
    const bobs = sessionOf(bob, 4);
    say(alice, first, 'user', 'first conversation', 10);
    say(alice, second, 'user', 'about gardening', 20);
    say(alice, second, 'assistant', 'tomatoes need sun', 21);
    say(alice, current, 'user', 'what did we talk about?', 30);
    say(bob, bobs, 'user', 'bob’s secret', 40);
    expect(previousSessionTurns(database.db, alice, current, 10).map((t) => t.text)).toEqual([
      'about gardening',
      'tomatoes need sun',
    ]);
    expect(previousSessionTurns(database.db, alice, current, 1).map((t) => t.text)).toEqual([
      'tomatoes need sun',
    ]);
    expect(previousSessionTurns(database.db, alice, null, 10).map((t) => t.text)).toEqual([
      'what did we talk about?',
    ]);
    expect(previousSessionTurns(database.db, bob, bobs, 10)).toEqual([]);
  });
});
