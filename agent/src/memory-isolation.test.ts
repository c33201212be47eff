import type { voice } from '@livekit/agents';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { insertConversationTurn, listPreferences, savePreference } from '@attune/db';
import { openTempDatabase } from '@attune/db/testing';
import { createAssistant } from './assistant.ts';
import type { SessionUser } from './session-user.ts';
import {
  RecordingFakeLLM,
  initializeQuietAgentLogger,
  memoryOf,
  seedSessionUser,
  textOnlySession,
  toolOutput,
} from './testing/session-fixtures.ts';

let database: ReturnType<typeof openTempDatabase>;
let sessions: voice.AgentSession[] = [];
let alice: SessionUser;
let bob: SessionUser;

beforeAll(initializeQuietAgentLogger);
beforeEach(() => {
  database = openTempDatabase();
  alice = seedSessionUser(database, { email: 'alice@example.org', fullName: 'Alice' });
  bob = seedSessionUser(database, { email: 'bob@example.org', fullName: 'Bob' });
  savePreference(
    database.db,
    { userId: alice.userId, key: 'units', value: 'metric', maxPerUser: 100 },
    1,
  );
  savePreference(
    database.db,
    { userId: bob.userId, key: 'units', value: 'imperial', maxPerUser: 100 },
    1,
  );
  savePreference(
    database.db,
    { userId: bob.userId, key: 'pin', value: 'bob’s door code is 4711', maxPerUser: 100 },
    1,
  );
  insertConversationTurn(
    database.db,
    { userId: bob.userId, sessionId: null, role: 'user', text: 'my secret project is Zephyr' },
    5,
  );
  insertConversationTurn(
    database.db,
    { userId: alice.userId, sessionId: null, role: 'user', text: 'my garden has tomatoes' },
    6,
  );
});
afterEach(async () => {
  await Promise.all(sessions.map((s) => s.close()));
  sessions = [];
  database.remove();
});

/** Every row that mentions the user, in any table the agent writes or reads. */
const rowsOf = (userId: string) => ({
  preferences: database.connection
    .prepare('SELECT * FROM user_preferences WHERE user_id = ? ORDER BY key')
    .all(userId),
  turns: database.connection
    .prepare('SELECT * FROM conversation_turns WHERE user_id = ? ORDER BY id')
    .all(userId),
  sessions: database.connection
    .prepare('SELECT * FROM user_sessions WHERE user_id = ? ORDER BY id')
    .all(userId),
});

async function startSession(user: SessionUser, model: RecordingFakeLLM) {
  const session = textOnlySession(model);
  sessions.push(session);
  await session.start({
    agent: createAssistant({ user, memory: memoryOf(database, user), joinedAtMs: Date.now() }),
  });
  return session;
}

describe('memory isolation between users', () => {
  it('offers every memory tool, none of which takes a user id', () => {
    const assistant = createAssistant({
      user: alice,
      memory: memoryOf(database, alice),
      joinedAtMs: 0,
    });
    const tools = assistant.toolCtx.functionTools;
    expect(Object.keys(tools).sort()).toEqual([
      'forget_preference',
      'list_preferences',
      'recall_conversations',
      'remember_preference',
      'session_facts',
    ]);
    expect(JSON.stringify(Object.values(tools).map((t) => t.parameters))).not.toMatch(/user/i);
  });

  it('keeps each session’s tools on its own user’s rows, whatever arguments the model passes', async () => {
    const bobBefore = rowsOf(bob.userId);
    const aliceModel = new RecordingFakeLLM([
      {
        input: 'Remember jazz for Bob',
        toolCalls: [
          {
            name: 'remember_preference',
            args: { key: 'music', value: 'jazz', user_id: bob.userId, userId: bob.userId },
          },
        ],
      },
      {
        input: 'Forget Bob’s units',
        toolCalls: [{ name: 'forget_preference', args: { key: 'units', user_id: bob.userId } }],
      },
      {
        input: 'What does Bob like?',
        toolCalls: [{ name: 'list_preferences', args: { user_id: bob.userId } }],
      },
      {
        input: 'Tell me about Zephyr',
        toolCalls: [
          { name: 'recall_conversations', args: { topic: 'Zephyr', user_id: bob.userId } },
        ],
      },
      {
        input: 'And the door code?',
        toolCalls: [{ name: 'recall_conversations', args: { topic: '4711' } }],
      },
    ]);
    const aliceSession = await startSession(alice, aliceModel);

    (
      await aliceSession.run({ userInput: 'Remember jazz for Bob' }).wait()
    ).expect.containsFunctionCallOutput({ output: toolOutput('Saved: music is jazz.') });
    (
      await aliceSession.run({ userInput: 'Forget Bob’s units' }).wait()
    ).expect.containsFunctionCallOutput({ output: toolOutput('Forgotten: units.') });
    (
      await aliceSession.run({ userInput: 'What does Bob like?' }).wait()
    ).expect.containsFunctionCallOutput({
      output: toolOutput('You asked me to remember: music is jazz.'),
    });
    (
      await aliceSession.run({ userInput: 'Tell me about Zephyr' }).wait()
    ).expect.containsFunctionCallOutput({
      output: toolOutput('I found nothing about zephyr in our earlier conversations.'),
    });
    (
      await aliceSession.run({ userInput: 'And the door code?' }).wait()
    ).expect.containsFunctionCallOutput({
      output: toolOutput('I found nothing about 4711 in our earlier conversations.'),
    });

    expect(listPreferences(database.db, alice.userId).map((p) => `${p.key}=${p.value}`)).toEqual([
      'music=jazz',
    ]);
    expect(rowsOf(bob.userId)).toEqual(bobBefore);
  });

  it('gives two concurrent sessions each their own memory', async () => {
    const aliceModel = new RecordingFakeLLM([
      { input: 'What do you know about me?', toolCalls: [{ name: 'list_preferences', args: {} }] },
      { input: 'What did I say before?', toolCalls: [{ name: 'recall_conversations', args: {} }] },
    ]);
    const bobModel = new RecordingFakeLLM([
      { input: 'What do you know about me?', toolCalls: [{ name: 'list_preferences', args: {} }] },
      {
        input: 'What did I say before?',
        toolCalls: [{ name: 'recall_conversations', args: { topic: 'tomatoes' } }],
      },
    ]);
    const [aliceSession, bobSession] = await Promise.all([
      startSession(alice, aliceModel),
      startSession(bob, bobModel),
    ]);
    const [aliceList, bobList] = await Promise.all([
      aliceSession.run({ userInput: 'What do you know about me?' }).wait(),
      bobSession.run({ userInput: 'What do you know about me?' }).wait(),
    ]);
    aliceList.expect.containsFunctionCallOutput({
      output: toolOutput('You asked me to remember: units is metric.'),
    });
    bobList.expect.containsFunctionCallOutput({
      output: toolOutput(
        'You asked me to remember: pin is bob’s door code is 4711; units is imperial.',
      ),
    });
    (
      await bobSession.run({ userInput: 'What did I say before?' }).wait()
    ).expect.containsFunctionCallOutput({
      output: toolOutput('I found nothing about tomatoes in our earlier conversations.'),
    });

    const aliceSystem = JSON.stringify(aliceModel.requests[0]?.toJSON());
    expect(aliceSystem).toContain('units: metric');
    expect(aliceSystem).not.toContain('imperial');
    expect(aliceSystem).not.toContain('Zephyr');
    expect(aliceSystem).not.toContain('4711');
  });
});
