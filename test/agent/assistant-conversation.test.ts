// A scripted conversation with the framework's FakeLLM (no LiveKit server), the assistant's tools
// reaching the real auth service through its internal agent API, and the database checked after.
import type { voice } from '@livekit/agents';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type AgentApiClient,
  createAssistant,
  recordConversationTurns,
  resolveSessionUser,
} from '@attune/agent';
import {
  RecordingFakeLLM,
  initializeQuietAgentLogger,
  textOnlySession,
  toolOutput,
} from '@attune/agent/testing';
import { type TestServer, startTestServer } from '@attune/auth-service/testing';
import { insertConversationTurn, listPreferences, savePreference } from '@attune/db';
import { snapshotTables } from '@attune/db/testing';
import { agentClientOf, liveSession, memoryOf, storedTurnsOf } from './agent-fixtures.ts';

const DAY_MS = 86_400_000;

let server: TestServer;
let client: AgentApiClient;
let session: voice.AgentSession | undefined;

beforeAll(async () => {
  initializeQuietAgentLogger();
  server = await startTestServer();
  client = agentClientOf(server);
});
afterEach(async () => {
  await session?.close();
  session = undefined;
});
afterAll(async () => {
  await client.close();
  await server.close();
});

const turnsOf = (sessionId: string) => storedTurnsOf(server, sessionId);

describe('the assistant with a scripted model and the real auth service', () => {
  it('greets with the user’s name, preferences and history in its instructions', async () => {
    const db = server.database.db;
    const { account, participant } = await liveSession(server, client, {
      fullName: 'Alice Moreau',
    });
    const userId = account!.id;
    savePreference(db, { userId, key: 'answer length', value: 'short', maxPerUser: 100 }, 1);
    savePreference(db, { userId, key: 'units', value: 'metric', maxPerUser: 100 }, 2);
    insertConversationTurn(
      db,
      { userId, sessionId: null, role: 'user', text: 'I am planning a trip to Lisbon' },
      3 * DAY_MS,
    );
    // Resolved again now that there is something to know: what a job would load at its start.
    const resolved = await resolveSessionUser(client, participant, participant.room_name);
    if (!resolved.ok) throw new Error(resolved.reason);
    const { memory } = memoryOf(resolved.user);

    const model = new RecordingFakeLLM();
    session = textOnlySession(model);
    await session.start({
      agent: createAssistant({ user: resolved.user, memory, joinedAtMs: Date.now() }),
    });
    await vi.waitFor(() => expect(model.requests).toHaveLength(1));

    const system = model.requests[0]!.items.find(
      (item) => item.type === 'message' && item.role === 'system',
    );
    const text = system?.type === 'message' ? (system.textContent ?? '') : '';
    expect(text).toContain('"Alice Moreau"');
    expect(text).toContain('- answer length: short');
    expect(text).toContain('- units: metric');
    expect(text).toContain('User: I am planning a trip to Lisbon');
    expect(text).toMatch(/Greet the user by their name, "Alice Moreau"/);
  });

  it('remembers, lists, forgets and recalls through the tools, and stores every turn', async () => {
    const db = server.database.db;
    const { account, user } = await liveSession(server, client, { fullName: 'Alice' });
    const userId = account!.id;
    savePreference(db, { userId, key: 'answer length', value: 'short', maxPerUser: 100 }, 1);
    insertConversationTurn(
      db,
      { userId, sessionId: null, role: 'user', text: 'Book me something in Lisbon for May' },
      DAY_MS,
    );
    insertConversationTurn(
      db,
      { userId, sessionId: null, role: 'assistant', text: 'Lisbon in May is lovely' },
      DAY_MS + 1,
    );

    const saved = 'Saved: units is metric.';
    const listed = 'You asked me to remember: answer length is short; units is metric.';
    const forgotten = 'Forgotten: units.';
    const recalled =
      'On 2 January 1970 I said: "Lisbon in May is lovely". On 2 January 1970 you said: "Book me something in Lisbon for May".';
    const model = new RecordingFakeLLM([
      {
        input: 'Remember that I prefer metric units',
        toolCalls: [{ name: 'remember_preference', args: { key: 'Units', value: 'metric' } }],
      },
      { input: toolOutput(saved), content: 'Metric it is.' },
      {
        input: 'What do you remember about me?',
        toolCalls: [{ name: 'list_preferences', args: {} }],
      },
      { input: toolOutput(listed), content: 'Short answers and metric units.' },
      {
        input: 'Forget my units preference',
        toolCalls: [{ name: 'forget_preference', args: { key: 'units' } }],
      },
      { input: toolOutput(forgotten), content: 'Done, I forgot it.' },
      {
        input: 'Remember nothing for colour',
        toolCalls: [{ name: 'remember_preference', args: { key: 'colour', value: '   ' } }],
      },
      {
        input: 'What did we say about Lisbon?',
        toolCalls: [{ name: 'recall_conversations', args: { topic: 'Lisbon' } }],
      },
      { input: toolOutput(recalled), content: 'You wanted a trip to Lisbon in May.' },
    ]);
    session = textOnlySession(model);
    const { memory, outbox } = memoryOf(user);
    recordConversationTurns(session, memory);
    await session.start({ agent: createAssistant({ user, memory, joinedAtMs: Date.now() }) });

    const remember = await session.run({ userInput: 'Remember that I prefer metric units' }).wait();
    remember.expect
      .nextEvent()
      .isFunctionCall({ name: 'remember_preference', args: { key: 'Units', value: 'metric' } });
    remember.expect.nextEvent().isFunctionCallOutput({ output: toolOutput(saved) });
    remember.expect.nextEvent().isMessage({ role: 'assistant' });
    remember.expect.noMoreEvents();
    expect(listPreferences(db, userId).map((p) => [p.key, p.value])).toEqual([
      ['answer length', 'short'],
      ['units', 'metric'],
    ]);

    const list = await session.run({ userInput: 'What do you remember about me?' }).wait();
    list.expect.nextEvent().isFunctionCall({ name: 'list_preferences' });
    list.expect.nextEvent().isFunctionCallOutput({ output: toolOutput(listed) });

    const forget = await session.run({ userInput: 'Forget my units preference' }).wait();
    forget.expect.nextEvent().isFunctionCall({ name: 'forget_preference' });
    forget.expect.nextEvent().isFunctionCallOutput({ output: toolOutput(forgotten) });
    expect(listPreferences(db, userId).map((p) => [p.key, p.value])).toEqual([
      ['answer length', 'short'],
    ]);

    const blank = await session.run({ userInput: 'Remember nothing for colour' }).wait();
    blank.expect.nextEvent().isFunctionCall({ name: 'remember_preference' });
    blank.expect.nextEvent().isFunctionCallOutput({
      output: toolOutput('I need to know what you prefer for colour.'),
    });

    const recall = await session.run({ userInput: 'What did we say about Lisbon?' }).wait();
    recall.expect
      .nextEvent()
      .isFunctionCall({ name: 'recall_conversations', args: { topic: 'Lisbon' } });
    recall.expect.nextEvent().isFunctionCallOutput({ output: toolOutput(recalled) });
    recall.expect.nextEvent().isMessage({ role: 'assistant' });

    expect(await outbox.close(5_000)).toBe(0);
    expect(turnsOf(user.sessionId)).toEqual([
      { role: 'user', text: 'Remember that I prefer metric units' },
      { role: 'assistant', text: 'Metric it is.' },
      { role: 'user', text: 'What do you remember about me?' },
      { role: 'assistant', text: 'Short answers and metric units.' },
      { role: 'user', text: 'Forget my units preference' },
      { role: 'assistant', text: 'Done, I forgot it.' },
      { role: 'user', text: 'Remember nothing for colour' },
      { role: 'user', text: 'What did we say about Lisbon?' },
      { role: 'assistant', text: 'You wanted a trip to Lisbon in May.' },
    ]);
  });

  it('tells how long the session has run and how many earlier sessions there were', async () => {
    const { user } = await liveSession(server, client);
    const { memory } = memoryOf(user);
    const joinedAtMs = 1_000_000;
    const facts =
      'This conversation has been going for 4 minutes and 12 seconds. It is our first conversation.';
    const model = new RecordingFakeLLM([
      { input: 'How long have we been talking?', toolCalls: [{ name: 'session_facts', args: {} }] },
      { input: toolOutput(facts), content: 'About four minutes.' },
    ]);
    session = textOnlySession(model);
    await session.start({
      agent: createAssistant({ user, memory, joinedAtMs, now: () => joinedAtMs + 252_000 }),
    });
    const run = await session.run({ userInput: 'How long have we been talking?' }).wait();
    run.expect.nextEvent().isFunctionCall({ name: 'session_facts' });
    run.expect.nextEvent().isFunctionCallOutput({ output: toolOutput(facts) });
  });

  it('gives guests the assistant without memory tools and stores nothing for them', async () => {
    const { user } = await liveSession(server, client, { guest: true });
    expect(user.memory).toBe(false);
    const model = new RecordingFakeLLM([
      {
        input: 'Remember that I like jazz',
        toolCalls: [{ name: 'remember_preference', args: { key: 'music', value: 'jazz' } }],
      },
    ]);
    session = textOnlySession(model);
    const assistant = createAssistant({ user, memory: null, joinedAtMs: Date.now() });
    expect(Object.keys(assistant.toolCtx.functionTools)).toEqual(['session_facts']);
    const before = snapshotTables(server.database.db).user_preferences;
    await session.start({ agent: assistant });
    const run = await session.run({ userInput: 'Remember that I like jazz' }).wait();
    run.expect.nextEvent().isFunctionCall({ name: 'remember_preference' });
    run.expect.nextEvent().isFunctionCallOutput({ isError: true });
    expect(snapshotTables(server.database.db).user_preferences).toEqual(before);
    expect(String(assistant.instructions)).toContain('registered users of Attune get memory');
  });

  it('answers in a sentence, not an error, when the service cannot be reached', async () => {
    const { user } = await liveSession(server, client);
    const { memory } = memoryOf(user);
    const unreachable = 'I cannot reach my memory right now. Please try again in a moment.';
    const model = new RecordingFakeLLM([
      {
        input: 'What do you remember about me?',
        toolCalls: [{ name: 'list_preferences', args: {} }],
      },
      { input: toolOutput(unreachable), content: 'My memory is out of reach just now.' },
    ]);
    session = textOnlySession(model);
    await session.start({ agent: createAssistant({ user, memory, joinedAtMs: Date.now() }) });
    await server.stopAgentApi();
    try {
      const run = await session.run({ userInput: 'What do you remember about me?' }).wait();
      run.expect.nextEvent().isFunctionCall({ name: 'list_preferences' });
      run.expect.nextEvent().isFunctionCallOutput({ output: toolOutput(unreachable) });
    } finally {
      await server.startAgentApi();
    }
  });
});
