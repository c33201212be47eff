import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertTestUsers, openTempDatabase } from '../testing.ts';
import { findAgentSessionScope, insertClientTurns, readAgentUserMemory } from './agent-sessions.ts';
import { insertConversationTurn } from './conversation-turns.ts';
import { savePreference } from './preferences.ts';
import { insertUserSession, markSessionJoined } from './user-sessions.ts';
import { deleteUser, setUserStatus } from './users.ts';

let database: ReturnType<typeof openTempDatabase>;
let alice: string;
let bob: string;

beforeEach(() => {
  database = openTempDatabase();
  [alice, bob] = insertTestUsers(database.db, 'alice', 'bob') as [string, string];
});
afterEach(() => database.remove());

const sessionOf = (userId: string, nowMs = 1_000) =>
  insertUserSession(
    database.db,
    { userId, roomName: `room-${userId}`, participantIdentity: userId },
    nowMs,
  ).id;

const turnsOf = (sessionId: string) =>
  database.connection
    .prepare(
      'SELECT user_id, role, text, client_turn_id FROM conversation_turns WHERE session_id = ? ORDER BY id',
    )
    .all(sessionId);

describe('the session scope of the internal agent API', () => {
  it('is the session with the parts of its user the checks need, and nothing once it is gone', () => {
    const sessionId = sessionOf(alice);
    expect(findAgentSessionScope(database.db, sessionId)).toMatchObject({
      session: { id: sessionId, userId: alice, status: 'issued' },
      user: { id: alice, fullName: 'alice', role: 'user', status: 'active' },
    });
    expect(findAgentSessionScope(database.db, sessionId)?.user).not.toHaveProperty('passwordHash');
    setUserStatus(database.db, alice, 'suspended');
    expect(findAgentSessionScope(database.db, sessionId)?.user.status).toBe('suspended');
    deleteUser(database.db, alice);
    expect(findAgentSessionScope(database.db, sessionId)).toBeUndefined();
    expect(findAgentSessionScope(database.db, 'no-such-session')).toBeUndefined();
  });
});

describe("what an agent loads about the session's user", () => {
  it('reads the preferences, the bounded history and the earlier conversations of that user only', () => {
    savePreference(
      database.db,
      { userId: alice, key: 'units', value: 'metric', maxPerUser: 10 },
      1,
    );
    savePreference(
      database.db,
      { userId: bob, key: 'units', value: 'imperial', maxPerUser: 10 },
      1,
    );
    for (let i = 0; i < 5; i += 1) {
      insertConversationTurn(
        database.db,
        { userId: alice, sessionId: null, role: 'user', text: `turn ${i}` },
        10 + i,
      );
    }
    insertConversationTurn(
      database.db,
      { userId: bob, sessionId: null, role: 'user', text: 'bob' },
      100,
    );
    const earlier = sessionOf(alice, 500);
    markSessionJoined(database.db, { userId: alice, sessionId: earlier, joinedAtMs: 600 });
    const current = sessionOf(alice, 2_000);

    const memory = readAgentUserMemory(database.db, {
      userId: alice,
      sessionId: current,
      budget: { maxTurns: 3, maxChars: 1_000 },
    });
    expect(memory.preferences.map((p) => `${p.key}=${p.value}`)).toEqual(['units=metric']);
    expect(memory.history.map((t) => t.text)).toEqual(['turn 2', 'turn 3', 'turn 4']);
    expect(memory.earlierSessions).toBe(1);
  });
});

describe('turns an agent stores with ids it chose', () => {
  it('stores a batch in order and a repeated id once, within the session only', () => {
    const aliceSession = sessionOf(alice);
    const bobSession = sessionOf(bob);
    const batch = [
      { clientTurnId: 'a', role: 'user' as const, text: 'hello', createdAt: 1 },
      { clientTurnId: 'b', role: 'assistant' as const, text: 'hi', createdAt: 2 },
    ];
    expect(insertClientTurns(database.db, { userId: alice, sessionId: aliceSession }, batch)).toBe(
      2,
    );
    expect(
      insertClientTurns(database.db, { userId: alice, sessionId: aliceSession }, [
        ...batch,
        { clientTurnId: 'c', role: 'user', text: 'bye', createdAt: 3 },
      ]),
    ).toBe(1);
    // The same ids in another session are other turns.
    expect(insertClientTurns(database.db, { userId: bob, sessionId: bobSession }, batch)).toBe(2);
    expect(turnsOf(aliceSession)).toEqual([
      { user_id: alice, role: 'user', text: 'hello', client_turn_id: 'a' },
      { user_id: alice, role: 'assistant', text: 'hi', client_turn_id: 'b' },
      { user_id: alice, role: 'user', text: 'bye', client_turn_id: 'c' },
    ]);
    expect(turnsOf(bobSession)).toHaveLength(2);
  });

  it('stores none of a batch that fails part-way, inside its transaction', () => {
    const sessionId = sessionOf(alice);
    const store = () =>
      database.db.transaction(() =>
        insertClientTurns(database.db, { userId: alice, sessionId }, [
          { clientTurnId: 'ok', role: 'user', text: 'kept?', createdAt: 1 },
          {
            clientTurnId: 'bad',
            role: 'system' as never,
            text: 'refused by the CHECK',
            createdAt: 2,
          },
        ]),
      );
    expect(store).toThrow(/CHECK constraint failed/);
    expect(turnsOf(sessionId)).toEqual([]);
  });
});
