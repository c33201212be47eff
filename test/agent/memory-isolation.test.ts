// Two users, each with a session resolved through the internal agent API: whatever the model
// passes to the tools, each session reaches its own user's rows only, because the service, not
// the agent, decides whose rows a session credential reaches.
import type { voice } from '@livekit/agents';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AgentApiClient, createAssistant } from '@attune/agent';
import {
  RecordingFakeLLM,
  initializeQuietAgentLogger,
  textOnlySession,
  toolOutput,
} from '@attune/agent/testing';
import { type TestServer, registerUser, startTestServer } from '@attune/auth-service/testing';
import { insertConversationTurn, listPreferences, savePreference } from '@attune/db';
import { snapshotTables } from '@attune/db/testing';
import { type LiveSession, agentClientOf, liveSession, memoryOf } from './agent-fixtures.ts';

let server: TestServer;
let client: AgentApiClient;
let sessions: voice.AgentSession[] = [];
let alice: LiveSession;
let bob: LiveSession;

beforeAll(async () => {
  initializeQuietAgentLogger();
  server = await startTestServer();
  client = agentClientOf(server);
});
beforeEach(async () => {
  const db = server.database.db;
  const aliceAccount = await registerUser(server, { full_name: 'Alice' });
  const bobAccount = await registerUser(server, { full_name: 'Bob' });
  savePreference(
    db,
    { userId: aliceAccount.id, key: 'units', value: 'metric', maxPerUser: 100 },
    1,
  );
  savePreference(
    db,
    { userId: bobAccount.id, key: 'units', value: 'imperial', maxPerUser: 100 },
    1,
  );
  savePreference(
    db,
    { userId: bobAccount.id, key: 'pin', value: 'bob’s door code is 4711', maxPerUser: 100 },
    1,
  );
  insertConversationTurn(
    db,
    { userId: bobAccount.id, sessionId: null, role: 'user', text: 'my secret project is Zephyr' },
    5,
  );
  insertConversationTurn(
    db,
    { userId: aliceAccount.id, sessionId: null, role: 'user', text: 'my garden has tomatoes' },
    6,
  );
  // Resolved after the rows exist: a job loads what is stored when it starts.
  alice = await liveSession(server, client, { account: aliceAccount });
  bob = await liveSession(server, client, { account: bobAccount });
});
afterEach(async () => {
  await Promise.all(sessions.map((s) => s.close()));
  sessions = [];
});
afterAll(async () => {
  await client.close();
  await server.close();
});

/** Every row that mentions the user, in any table the agent writes or reads. */
function rowsOf(userId: string) {
  const tables = snapshotTables(server.database.db);
  const mine = (rows: unknown[]) =>
    rows.filter((row) => (row as { userId: string }).userId === userId);
  return {
    preferences: mine(tables.user_preferences ?? []),
    turns: mine(tables.conversation_turns ?? []),
    sessions: mine(tables.user_sessions ?? []),
  };
}

async function startSession(session: LiveSession, model: RecordingFakeLLM) {
  const agentSession = textOnlySession(model);
  sessions.push(agentSession);
  const { memory } = memoryOf(session.user);
  await agentSession.start({
    agent: createAssistant({ user: session.user, memory, joinedAtMs: Date.now() }),
  });
  return agentSession;
}

describe('memory isolation between users', () => {
  it('offers every memory tool, none of which takes a user id', () => {
    const { memory } = memoryOf(alice.user);
    const assistant = createAssistant({ user: alice.user, memory, joinedAtMs: 0 });
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
    const bobId = bob.account!.id;
    const bobBefore = rowsOf(bobId);
    const aliceModel = new RecordingFakeLLM([
      {
        input: 'Remember jazz for Bob',
        toolCalls: [
          {
            name: 'remember_preference',
            args: { key: 'music', value: 'jazz', user_id: bobId, userId: bobId },
          },
        ],
      },
      {
        input: 'Forget Bob’s units',
        toolCalls: [{ name: 'forget_preference', args: { key: 'units', user_id: bobId } }],
      },
      {
        input: 'What does Bob like?',
        toolCalls: [{ name: 'list_preferences', args: { user_id: bobId } }],
      },
      {
        input: 'Tell me about Zephyr',
        toolCalls: [{ name: 'recall_conversations', args: { topic: 'Zephyr', user_id: bobId } }],
      },
      {
        input: 'And the door code?',
        toolCalls: [{ name: 'recall_conversations', args: { topic: '4711' } }],
      },
    ]);
    const aliceSession = await startSession(alice, aliceModel);

    (
      await aliceSession.run({ userInput: 'Remember jazz for Bob' }).wait()
    ).expect.containsFunctionCallOutput({
      output: toolOutput('Saved: music is jazz.'),
    });
    (
      await aliceSession.run({ userInput: 'Forget Bob’s units' }).wait()
    ).expect.containsFunctionCallOutput({
      output: toolOutput('Forgotten: units.'),
    });
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

    expect(
      listPreferences(server.database.db, alice.account!.id).map((p) => `${p.key}=${p.value}`),
    ).toEqual(['music=jazz']);
    expect(rowsOf(bobId)).toEqual(bobBefore);
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
