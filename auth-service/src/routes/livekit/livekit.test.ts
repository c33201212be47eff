import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findUserSession } from '@attune/db';
import { snapshotTables } from '@attune/db/testing';
import {
  type TestServer,
  type WebhookEventInput,
  jsonPost,
  registerUser,
  signWebhook,
  startTestServer,
  webhookEvent,
} from '../../testing/index.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

interface Minted {
  userId: string;
  sessionId: string;
  room: string;
  attributes: Record<string, string>;
}

async function mintSession(): Promise<Minted> {
  const user = await registerUser(server);
  const response = await jsonPost(server, '/auth/token', {}, user.accessToken);
  const body = (await response.json()) as { session_id: string; room_name: string };
  return {
    userId: user.id,
    sessionId: body.session_id,
    room: body.room_name,
    attributes: { 'attune.user_id': user.id, 'attune.session_id': body.session_id },
  };
}

async function deliver(
  input: WebhookEventInput | ReturnType<typeof webhookEvent>,
  key = server.config.livekit,
) {
  const event = 'toJsonString' in input ? input : webhookEvent(input);
  const { body, headers } = await signWebhook(event, key.apiKey, key.apiSecret);
  return server.fetch('/livekit/webhook', { method: 'POST', headers, body });
}

const T0 = 1_790_000_000; // seconds
const joinedEvent = (s: Minted, joinedS: number, extra: Partial<WebhookEventInput> = {}) =>
  webhookEvent({
    event: 'participant_joined',
    room: s.room,
    createdAtSeconds: joinedS,
    participant: { identity: s.userId, attributes: s.attributes, joinedAtMs: joinedS * 1000 + 250 },
    ...extra,
  });
const leftEvent = (
  s: Minted,
  joinedS: number,
  leftS: number,
  event: 'participant_left' | 'participant_connection_aborted' = 'participant_left',
) =>
  webhookEvent({
    event,
    room: s.room,
    createdAtSeconds: leftS,
    participant: { identity: s.userId, attributes: s.attributes, joinedAtMs: joinedS * 1000 + 250 },
  });

const sessionRow = (s: Minted) => findUserSession(server.database.db, s.userId, s.sessionId);

describe('POST /livekit/webhook', () => {
  it('makes a session active at participant_joined, from the participant’s join time', async () => {
    const s = await mintSession();
    const response = await deliver(joinedEvent(s, T0));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true, outcome: 'applied' });
    expect(sessionRow(s)).toMatchObject({
      status: 'active',
      sessionStart: T0 * 1000 + 250,
      sessionEnd: null,
      durationSeconds: null,
    });
  });

  it('ends it at participant_left with the duration to the second', async () => {
    const s = await mintSession();
    await deliver(joinedEvent(s, T0));
    await deliver(leftEvent(s, T0, T0 + 754));
    expect(sessionRow(s)).toMatchObject({
      status: 'ended',
      sessionStart: T0 * 1000 + 250,
      sessionEnd: (T0 + 754) * 1000,
      durationSeconds: 754,
      endReason: 'participant_left',
      endSource: 'livekit',
    });
  });

  it('ends it at participant_connection_aborted', async () => {
    const s = await mintSession();
    await deliver(joinedEvent(s, T0));
    await deliver(leftEvent(s, T0, T0 + 42, 'participant_connection_aborted'));
    expect(sessionRow(s)).toMatchObject({
      status: 'ended',
      durationSeconds: 42,
      endReason: 'participant_connection_aborted',
    });
  });

  it('ends whatever is still open in the room at room_finished', async () => {
    const s = await mintSession();
    await deliver(joinedEvent(s, T0));
    const response = await deliver({
      event: 'room_finished',
      room: s.room,
      createdAtSeconds: T0 + 600,
    });
    expect(await response.json()).toEqual({ received: true, outcome: 'applied' });
    expect(sessionRow(s)).toMatchObject({
      status: 'ended',
      durationSeconds: 600,
      endReason: 'room_finished',
    });
  });

  it('gives the same durations for duplicated, shuffled and left-before-joined deliveries', async () => {
    const inOrder = await mintSession();
    const messy = await mintSession();
    const stream = (s: Minted) => [
      joinedEvent(s, T0),
      leftEvent(s, T0, T0 + 30),
      joinedEvent(s, T0 + 32),
      leftEvent(s, T0 + 32, T0 + 95),
    ];

    for (const event of stream(inOrder)) await deliver(event);
    const [j1, l1, j2, l2] = stream(messy);
    for (const event of [l2!, j2!, l1!, l2!, j1!, l1!, j2!]) await deliver(event);

    const expected = {
      status: 'ended',
      sessionStart: T0 * 1000 + 250,
      sessionEnd: (T0 + 95) * 1000,
      durationSeconds: 95,
    };
    expect(sessionRow(inOrder)).toMatchObject(expected);
    expect(sessionRow(messy)).toMatchObject(expected);
  });

  it('acknowledges a redelivered event without applying it again', async () => {
    const s = await mintSession();
    const joined = joinedEvent(s, T0);
    await deliver(joined);
    await deliver(leftEvent(s, T0, T0 + 10));
    const again = await deliver(joined);
    expect(await again.json()).toEqual({ received: true, outcome: 'duplicate' });
    expect(sessionRow(s)).toMatchObject({ status: 'ended', durationSeconds: 10 });
  });

  it('ignores agents, and rooms or identities it never issued a token for', async () => {
    const s = await mintSession();
    const before = snapshotTables(server.database.db);
    const agent = joinedEvent(s, T0, {
      participant: { identity: 'agent-AJ_1', joinedAtMs: T0 * 1000, agent: true },
    });
    const stranger = joinedEvent(s, T0, {
      participant: { identity: 'someone-else', joinedAtMs: T0 * 1000 },
    });
    const otherRoom = joinedEvent(s, T0, { room: 'never-issued' });
    for (const event of [agent, stranger, otherRoom]) {
      const response = await deliver(event);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ received: true, outcome: 'ignored' });
    }
    const after = snapshotTables(server.database.db);
    expect(after.user_sessions).toEqual(before.user_sessions);
    expect(sessionRow(s)?.status).toBe('issued');
  });

  it('rejects a missing, wrong or tampered signature with 401 and writes nothing', async () => {
    const s = await mintSession();
    const before = snapshotTables(server.database.db);
    const { body, headers } = await signWebhook(
      joinedEvent(s, T0),
      server.config.livekit.apiKey,
      server.config.livekit.apiSecret,
    );

    const missing = await server.fetch('/livekit/webhook', {
      method: 'POST',
      headers: { 'content-type': 'application/webhook+json' },
      body,
    });
    const wrongKey = await deliver(joinedEvent(s, T0), {
      ...server.config.livekit,
      apiSecret: 'another-secret-of-enough-length-000000',
    });
    const tampered = await server.fetch('/livekit/webhook', {
      method: 'POST',
      headers,
      body: body.replace(String(T0 * 1000 + 250), String(T0 * 1000 - 99_000)),
    });

    for (const response of [missing, wrongKey, tampered]) {
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toMatch(
        /^signature_(missing|invalid)$/,
      );
    }
    expect(snapshotTables(server.database.db)).toEqual(before);
  });

  it('refuses a body that is not JSON with 415, and an oversized one with 413', async () => {
    const text = await server.fetch('/livekit/webhook', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: 'x' },
      body: 'hi',
    });
    expect(text.status).toBe(415);
    const huge = await server.fetch('/livekit/webhook', {
      method: 'POST',
      headers: { 'content-type': 'application/webhook+json', authorization: 'x' },
      body: `{"pad":"${'x'.repeat(server.config.bodyLimitBytes)}"}`,
    });
    expect(huge.status).toBe(413);
  });
});
