// The turn outbox against the real auth service: turns keep arriving in order, each once, however
// the service comes and goes.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type AgentApiClient, TurnOutbox, storableTurnText } from '@attune/agent';
import { type TestServer, startTestServer } from '@attune/auth-service/testing';
import { AGENT_API_LIMITS } from '@attune/contract';
import { terminateSession } from '@attune/db';
import { agentClientOf, liveSession, memoryOf, storedTurnsOf } from './agent-fixtures.ts';

let server: TestServer;
let client: AgentApiClient;
beforeAll(async () => {
  server = await startTestServer();
  client = agentClientOf(server, { retries: 0 });
});
afterAll(async () => {
  await client.close();
  await server.close();
});

const storedTexts = (sessionId: string) =>
  storedTurnsOf(server, sessionId).map((turn) => turn.text);

describe('the turn outbox', () => {
  it('keeps turns while the service is down and stores them in order, none twice, once it is back', async () => {
    const { user } = await liveSession(server, client);
    const { outbox } = memoryOf(user);
    outbox.add('user', 'one');
    await vi.waitFor(() => expect(storedTexts(user.sessionId)).toEqual(['one']));

    await server.stopAgentApi();
    outbox.add('assistant', 'two');
    outbox.add('user', 'three');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(outbox.pending).toBe(2);
    expect(storedTexts(user.sessionId)).toEqual(['one']);

    await server.startAgentApi();
    outbox.add('assistant', 'four');
    expect(await outbox.close(5_000)).toBe(0);
    expect(storedTexts(user.sessionId)).toEqual(['one', 'two', 'three', 'four']);
    expect(outbox.counts).toEqual({ stored: 4, dropped: 0 });
  });

  it('stores turns added while batches are in flight, all of them, in order', async () => {
    const { user } = await liveSession(server, client);
    const { outbox } = memoryOf(user);
    const texts = Array.from({ length: 120 }, (_, i) => `turn ${i}`);
    for (const [i, text] of texts.entries()) {
      outbox.add(i % 2 ? 'assistant' : 'user', text);
      // Now and then let a batch go out, or its answer come back, between two turns.
      if (i % 7 === 0) await new Promise((resolve) => setImmediate(resolve));
      if (i % 11 === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(await outbox.close(10_000)).toBe(0);
    expect(storedTexts(user.sessionId)).toEqual(texts);
  });

  it('stores a batch whose answer was lost only once when it is sent again', async () => {
    const { user } = await liveSession(server, client);
    let attempts = 0;
    const outbox = new TurnOutbox({
      // The service stores the batch, but the answer never reaches the agent the first time.
      send: async (turns) => {
        const answer = await user.api.appendTurns(turns);
        attempts += 1;
        if (attempts === 1) throw new Error('socket hang up');
        return answer;
      },
      log: { warn: () => undefined, error: () => undefined },
      retryDelayMs: 10,
    });
    outbox.add('user', 'said once');
    outbox.add('assistant', 'answered once');
    expect(await outbox.close(5_000)).toBe(0);
    expect(attempts).toBe(2);
    expect(storedTexts(user.sessionId)).toEqual(['said once', 'answered once']);
  });

  it('splits a long backlog into batches the service takes', async () => {
    const { user } = await liveSession(server, client);
    const { outbox } = memoryOf(user);
    await server.stopAgentApi();
    const count = AGENT_API_LIMITS.maxTurnsPerBatch * 2 + 7;
    for (let i = 0; i < count; i += 1) outbox.add(i % 2 ? 'assistant' : 'user', `turn ${i}`);
    await server.startAgentApi();
    expect(await outbox.close(10_000)).toBe(0);
    expect(storedTexts(user.sessionId)).toEqual(
      Array.from({ length: count }, (_, i) => `turn ${i}`),
    );
  });

  it('gives up on the turns of a session the service closed, saying so', async () => {
    const { user } = await liveSession(server, client);
    const errors: string[] = [];
    const { outbox } = memoryOf(user, {
      log: { warn: () => undefined, error: (_, m) => errors.push(m) },
    });
    terminateSession(server.database.db, user.sessionId, Date.now());
    outbox.add('user', 'too late');
    expect(await outbox.close(5_000)).toBe(0);
    expect(outbox.counts).toEqual({ stored: 0, dropped: 1 });
    expect(errors.join('\n')).toMatch(/refused the turns of this session/);
    expect(storedTexts(user.sessionId)).toEqual([]);
  });

  it('cleans text the service would refuse, and cuts what is too long between two characters', () => {
    expect(storableTurnText(' a\u0007b\u202Ec\ud800 ')).toBe('abc\ufffd');
    const long = storableTurnText('x'.repeat(AGENT_API_LIMITS.maxTurnChars + 10));
    expect(long).toHaveLength(AGENT_API_LIMITS.maxTurnChars);
    expect(long.endsWith('…')).toBe(true);
    // An emoji (a surrogate pair) right at the cut is not split in two.
    const emoji = storableTurnText(`${'a'.repeat(AGENT_API_LIMITS.maxTurnChars - 2)}😀 and more`);
    expect(emoji.isWellFormed()).toBe(true);
    expect(emoji.endsWith('a…')).toBe(true);
  });

  it('gives up a batch the service refuses as such alone, and stores the rest', async () => {
    const { user } = await liveSession(server, client);
    let sent = 0;
    const errors: string[] = [];
    const outbox = new TurnOutbox({
      // The first batch is sent with a turn the service refuses (a bug in the agent, say).
      send: (turns) =>
        user.api.appendTurns(
          sent++ === 0 ? turns.map((turn) => ({ ...turn, role: 'system' as never })) : turns,
        ),
      log: { warn: () => undefined, error: (_fields, message) => errors.push(message) },
      retryDelayMs: 10,
    });
    outbox.add('user', 'refused with its batch');
    expect(await outbox.close(5_000)).toBe(0);
    const later = new TurnOutbox({
      send: (turns) => user.api.appendTurns(turns),
      log: { warn: () => undefined, error: (_fields, message) => errors.push(message) },
    });
    later.add('user', 'stored');
    expect(await later.close(5_000)).toBe(0);
    expect(outbox.counts).toEqual({ stored: 0, dropped: 1 });
    expect(errors).toEqual([
      'the Attune agent API refused a batch of turns; it is not stored, the rest go on',
    ]);
    expect(storedTexts(user.sessionId)).toEqual(['stored']);
  });

  it('renews the session credential when a conversation outlives it', async () => {
    const { user } = await liveSession(server, client);
    // Joined, so the session stays open however long it runs.
    await user.api.join(Date.now());
    const { outbox } = memoryOf(user);
    const pastCredential = server.config.agentApi.credentialTtlMs + 60_000;
    server.advanceClock(pastCredential);
    try {
      outbox.add('user', 'still talking');
      expect(await outbox.close(5_000)).toBe(0);
    } finally {
      server.advanceClock(-pastCredential);
    }
    expect(outbox.counts).toEqual({ stored: 1, dropped: 0 });
    expect(storedTexts(user.sessionId)).toEqual(['still talking']);
  });
});
