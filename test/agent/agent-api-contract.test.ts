// The contract between the agent and the auth service, pinned from both sides: the real agent
// client (what job processes run) against the real service (what agents call), on loopback.
// Every answer the client accepts was checked against the shared schemas of @attune/contract.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AgentApiClient,
  AgentApiError,
  AgentApiUnavailable,
  AgentApiClient as Client,
  resolveSessionUser,
} from '@attune/agent';
import {
  type TestServer,
  mintParticipant,
  registerUser,
  startTestServer,
} from '@attune/auth-service/testing';
import {
  AGENT_API_ERRORS,
  AGENT_API_LIMITS,
  ATTRIBUTE_SESSION_ID,
  ATTRIBUTE_USER_ID,
} from '@attune/contract';
import { findUserSession, setUserStatus, terminateSession } from '@attune/db';
import { agentClientOf, liveSession } from './agent-fixtures.ts';

let server: TestServer;
let client: AgentApiClient;
beforeAll(async () => {
  server = await startTestServer();
  client = agentClientOf(server);
});
afterAll(async () => {
  await client.close();
  await server.close();
});

/** The error a call failed with, or a failure of the test if it did not. */
async function failure(call: Promise<unknown>): Promise<AgentApiError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof AgentApiError) return error;
    throw error;
  }
  throw new Error('the call succeeded');
}

describe('the agent client against the auth service', () => {
  it('reads the participant attributes the service signs into every token', async () => {
    const account = await registerUser(server);
    const participant = await mintParticipant(server, account.accessToken);
    expect(participant.identity).toBe(account.id);
    expect(participant.attributes[ATTRIBUTE_USER_ID]).toBe(account.id);
    expect(participant.attributes[ATTRIBUTE_SESSION_ID]).toBe(participant.sessionId);
  });

  it('resolves a participant and runs every call of the session through its credential', async () => {
    const { account, participant, user } = await liveSession(server, client, {
      fullName: 'Ada Lovelace',
    });
    expect(user).toMatchObject({
      sessionId: participant.sessionId,
      roomName: participant.room_name,
      displayName: 'Ada Lovelace',
      memory: true,
      earlierSessions: 0,
    });
    const { api } = user;
    expect(await api.join(Date.now())).toEqual({ recorded: true });
    expect(await api.remember('Home City', 'Lisbon')).toEqual({
      outcome: 'saved',
      key: 'home city',
      value: 'Lisbon',
    });
    expect((await api.preferences()).map((p) => [p.key, p.value])).toEqual([
      ['home city', 'Lisbon'],
    ]);
    const turn = {
      id: 'contract-1',
      role: 'user' as const,
      text: 'Lisbon in May',
      created_at_ms: Date.now(),
    };
    expect(await api.appendTurns([turn])).toEqual({ stored: 1, duplicates: 0 });
    expect(await api.appendTurns([turn])).toEqual({ stored: 0, duplicates: 1 });
    // A turn of this very conversation is not "earlier".
    expect(await api.recall(['lisbon'])).toEqual({ scope: 'search', turns: [] });
    expect(await api.forget('home city')).toEqual({ forgotten: true, key: 'home city' });
    expect(
      await api.end({
        reason: 'user_initiated',
        joined_at_ms: Date.now(),
        ended_at_ms: Date.now(),
      }),
    ).toEqual({
      recorded: true,
    });
    expect(findUserSession(server.database.db, account!.id, participant.sessionId)?.status).toBe(
      'ended',
    );
  });

  it('answers each refusal the service knows as the agent’s refusal reason', async () => {
    const account = await registerUser(server);
    const participant = await mintParticipant(server, account.accessToken);
    terminateSession(server.database.db, participant.sessionId, Date.now());
    expect(await resolveSessionUser(client, participant, participant.room_name)).toEqual({
      ok: false,
      reason: 'session_ended',
    });
    const other = await mintParticipant(server, account.accessToken);
    expect(await resolveSessionUser(client, other, 'another-room')).toEqual({
      ok: false,
      reason: 'room_mismatch',
    });
  });

  it('surfaces the service’s error codes, as the contract catalogues them', async () => {
    const alice = await liveSession(server, client);
    const bob = await liveSession(server, client);
    const foreign = client.forSession(bob.user.sessionId, 'not-a-credential');
    const invalid = await failure(foreign.preferences());
    expect([invalid.status, invalid.code]).toEqual([401, 'credential_invalid']);

    // Alice's credential used for Bob's session.
    const { room_name, identity, attributes } = alice.participant;
    const aliceAnswer = await client.resolveParticipant({ room_name, identity, attributes });
    if (aliceAnswer.outcome !== 'resolved') throw new Error(aliceAnswer.reason);
    const crossed = client.forSession(bob.user.sessionId, aliceAnswer.credential);
    const mismatch = await failure(crossed.preferences());
    expect([mismatch.status, mismatch.code]).toEqual([403, 'session_mismatch']);
    expect(mismatch.status).toBe(AGENT_API_ERRORS.session_mismatch.status);

    const tooMany = Array.from({ length: AGENT_API_LIMITS.maxTurnsPerBatch + 1 }, (_, i) => ({
      id: `t${i}`,
      role: 'user' as const,
      text: 'x',
      created_at_ms: Date.now(),
    }));
    const batch = await failure(alice.user.api.appendTurns(tooMany));
    expect([batch.status, batch.code]).toEqual([413, 'batch_too_large']);

    setUserStatus(server.database.db, alice.account!.id, 'suspended');
    const suspended = await failure(alice.user.api.preferences());
    expect([suspended.status, suspended.code]).toEqual([403, 'account_suspended']);
  });

  it('gives up with AgentApiUnavailable after its retries when nothing answers', async () => {
    const offline = new Client({
      baseUrl: 'http://127.0.0.1:9',
      agentSecret: 'x'.repeat(40),
      timeoutMs: 500,
      retries: 2,
      retryDelayMs: 10,
    });
    try {
      const error = await offline
        .resolveParticipant({ room_name: 'r', identity: 'i', attributes: {} })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AgentApiUnavailable);
      expect((error as Error).message).toMatch(/after 3 attempts: ECONNREFUSED/);
    } finally {
      await offline.close();
    }
  });
});
