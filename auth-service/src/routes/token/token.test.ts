import { TokenVerifier } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markSessionJoined, recordSessionEnd } from '@attune/db';
import {
  type TestServer,
  jsonPost,
  registerUser,
  startTestServer,
} from '../../testing/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    LIVEKIT_API_KEY: 'APItestkey',
    LIVEKIT_API_SECRET: 'a-livekit-secret-for-tests-only',
    AGENT_NAME: 'attune-test-agent',
    // These tests mint dozens of tokens per user; the session limit has its own test below.
    MAX_SESSIONS_PER_USER: '1000',
  });
});
afterAll(async () => {
  await server.close();
});

/** POST /auth/token's answer: the token fields when it mints, `error` when it refuses. */
interface MintBody {
  livekit_token: string;
  participant_token: string;
  server_url: string;
  room_name: string;
  session_id: string;
  expires_at: string;
  error: { code: string; message: string };
}

async function mint(accessToken: string, body: unknown = {}) {
  const response = await jsonPost(server, '/auth/token', body, accessToken);
  return { status: response.status, body: (await response.json()) as MintBody };
}

describe('POST /auth/token', () => {
  it('mints a token LiveKit accepts for exactly one room, dispatching the agent, and records the session', async () => {
    const user = await registerUser(server, { full_name: 'Grace Hopper' });
    const before = Date.now();
    const { status, body } = await mint(user.accessToken);
    expect(status).toBe(201);

    const claims = await new TokenVerifier('APItestkey', 'a-livekit-secret-for-tests-only').verify(
      body.livekit_token,
    );
    expect(claims.iss).toBe('APItestkey');
    expect(claims.sub).toBe(user.id);
    expect(claims.name).toBe('Grace Hopper');
    expect(claims.attributes).toEqual({
      'attune.user_id': user.id,
      'attune.session_id': body.session_id,
    });
    expect(JSON.parse(claims.metadata!)).toEqual({
      user_id: user.id,
      session_id: body.session_id,
      display_name: 'Grace Hopper',
    });

    // exactly the grants a user needs, for exactly one room
    expect(claims.video).toEqual({
      roomJoin: true,
      room: body.room_name,
      canPublish: true,
      canPublishSources: ['microphone'],
      canSubscribe: true,
      canPublishData: true,
    });
    for (const forbidden of [
      'roomAdmin',
      'roomCreate',
      'roomList',
      'roomRecord',
      'recorder',
      'hidden',
      'ingressAdmin',
      'agent',
    ]) {
      expect(claims.video).not.toHaveProperty(forbidden);
    }
    expect(claims).not.toHaveProperty('sip');

    // ten minutes to live
    expect((claims.exp as number) - (claims.nbf as number)).toBe(600);
    expect((claims.exp as number) * 1000).toBeGreaterThanOrEqual(before + 600_000 - 1000);
    expect(Date.parse(body.expires_at)).toBe((claims.exp as number) * 1000);

    // the agent is dispatched by name with the session's metadata
    const agents = claims.roomConfig!.agents;
    expect(agents).toHaveLength(1);
    expect(agents[0]!.agentName).toBe('attune-test-agent');
    expect(JSON.parse(agents[0]!.metadata)).toEqual({
      user_id: user.id,
      session_id: body.session_id,
      display_name: 'Grace Hopper',
    });

    const row = server.database.db.query.userSessions
      .findFirst({ where: (t, { eq }) => eq(t.id, body.session_id) })
      .sync();
    expect(row).toMatchObject({
      userId: user.id,
      roomName: body.room_name,
      participantIdentity: user.id,
      status: 'issued',
      sessionStart: null,
      sessionEnd: null,
      durationSeconds: null,
      endReason: null,
    });
    expect(row!.issuedAt).toBeGreaterThanOrEqual(before);
    const room = server.database.db.query.rooms
      .findFirst({ where: (t, { eq }) => eq(t.name, body.room_name) })
      .sync();
    expect(room?.ownerId).toBe(user.id);
  });

  it('gives a fresh unguessable room on every call without room_name', async () => {
    const user = await registerUser(server);
    const names = new Set<string>();
    for (let i = 0; i < 5; i += 1) names.add((await mint(user.accessToken)).body.room_name);
    expect(names.size).toBe(5);
  });

  it('lets a user claim a new named room and come back to it', async () => {
    const user = await registerUser(server);
    const first = await mint(user.accessToken, { room_name: 'kitchen_radio-1' });
    expect(first.status).toBe(201);
    expect(first.body.room_name).toBe('kitchen_radio-1');
    const again = await mint(user.accessToken, { room_name: 'kitchen_radio-1' });
    expect(again.status).toBe(201);
    expect(again.body.session_id).not.toBe(first.body.session_id);
  });

  it("refuses another user's room with 403 and records nothing", async () => {
    const owner = await registerUser(server);
    const intruder = await registerUser(server);
    expect((await mint(owner.accessToken, { room_name: 'owners-room' })).status).toBe(201);
    const sessionsBefore = server.database.db.query.userSessions.findMany().sync().length;

    const refused = await mint(intruder.accessToken, { room_name: 'owners-room' });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({
      error: { code: 'room_forbidden', message: refused.body.error.message },
    });
    expect(refused.body.error.message).toContain('another user');
    expect(server.database.db.query.userSessions.findMany().sync()).toHaveLength(sessionsBefore);

    // the room a user got at registration is theirs alone too
    const theirs = await mint(intruder.accessToken, { room_name: owner.body.room_name });
    expect(theirs.status).toBe(403);
  });

  it('gives a contested new room to exactly one of two users asking at once', async () => {
    const [alice, bob] = await Promise.all([registerUser(server), registerUser(server)]);
    for (let round = 0; round < 5; round += 1) {
      const room_name = `contested-${round}`;
      const answers = await Promise.all([
        ...Array.from({ length: 4 }, () => mint(alice.accessToken, { room_name })),
        ...Array.from({ length: 4 }, () => mint(bob.accessToken, { room_name })),
      ]);
      const owner = server.database.db.query.rooms
        .findFirst({ where: (t, { eq }) => eq(t.name, room_name) })
        .sync()!.ownerId;
      const ownersAnswers = owner === alice.id ? answers.slice(0, 4) : answers.slice(4);
      const othersAnswers = owner === alice.id ? answers.slice(4) : answers.slice(0, 4);
      expect(ownersAnswers.map((answer) => answer.status)).toEqual([201, 201, 201, 201]);
      expect(othersAnswers.map((answer) => answer.status)).toEqual([403, 403, 403, 403]);
      const sessions = server.database.db.query.userSessions
        .findMany({ where: (t, { eq }) => eq(t.roomName, room_name) })
        .sync();
      expect(sessions.map((session) => session.userId)).toEqual([owner, owner, owner, owner]);
    }
  });

  it('refuses room names outside 1–64 letters, digits, "-" and "_"', async () => {
    const user = await registerUser(server);
    for (const room_name of ['', 'a'.repeat(65), 'has space', 'slash/room', 'ünïcode', '../etc']) {
      const { status, body } = await mint(user.accessToken, { room_name });
      expect(status, room_name).toBe(400);
      expect(body.error.code).toBe('validation_failed');
    }
    expect((await mint(user.accessToken, { room_name: 'a'.repeat(64) })).status).toBe(201);
  });

  it('never takes the identity from the request', async () => {
    const user = await registerUser(server);
    const other = await registerUser(server);
    const refused = await mint(user.accessToken, { participant_identity: other.id });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('identity_forbidden');
    // repeating one's own id is harmless, as LiveKit client SDKs may send it
    const own = await mint(user.accessToken, { participant_identity: user.id });
    expect(own.status).toBe(201);
    expect(
      (
        await new TokenVerifier('APItestkey', 'a-livekit-secret-for-tests-only').verify(
          own.body.livekit_token,
        )
      ).sub,
    ).toBe(user.id);
  });

  it('speaks the LiveKit standard token-endpoint contract', async () => {
    const user = await registerUser(server);
    // what a LiveKit client SDK's endpoint TokenSource sends for an agent app
    const standard = await mint(user.accessToken, {
      room_name: 'standard-room',
      participant_name: 'Std',
      room_config: { agents: [{ agent_name: 'attune-test-agent' }] },
    });
    expect(standard.status).toBe(201);
    expect(standard.body.server_url).toBe('ws://localhost:7880');
    const claims = await new TokenVerifier('APItestkey', 'a-livekit-secret-for-tests-only').verify(
      standard.body.participant_token,
    );
    expect(claims.roomConfig!.agents.map((agent) => agent.agentName)).toEqual([
      'attune-test-agent',
    ]);

    // fields a client may not set get a 4xx
    const otherAgent = await mint(user.accessToken, {
      room_config: { agents: [{ agent_name: 'some-other-agent' }] },
    });
    expect(otherAgent.status).toBe(403);
    expect(otherAgent.body.error.code).toBe('agent_forbidden');
    for (const body of [
      { participant_metadata: '{"admin":true}' },
      { participant_attributes: { 'attune.user_id': 'someone' } },
      {
        room_config: { agents: [{ agent_name: 'attune-test-agent', metadata: '{"user_id":"x"}' }] },
      },
      { room_config: { max_participants: 100 } },
    ]) {
      expect((await mint(user.accessToken, body)).status).toBe(400);
    }
  });

  it('takes an empty body as no fields', async () => {
    const user = await registerUser(server);
    const response = await server.fetch('/auth/token', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${user.accessToken}`,
        'content-type': 'application/json',
        'content-length': '0',
      },
    });
    expect(response.status).toBe(201);
  });

  it('accepts the bearer scheme in any case', async () => {
    const user = await registerUser(server);
    const response = await server.fetch('/auth/token', {
      method: 'POST',
      headers: { authorization: `bearer ${user.accessToken}` },
    });
    expect(response.status).toBe(201);
  });

  it('requires a bearer token', async () => {
    const response = await server.fetch('/auth/token', { method: 'POST' });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('Bearer');
  });
});

describe('the session limit', () => {
  it('refuses a token with 409 while MAX_SESSIONS_PER_USER sessions are in progress, and allows one when one ends', async () => {
    const limited = await startTestServer({ MAX_SESSIONS_PER_USER: '2' });
    try {
      const user = await registerUser(limited);
      const mintOne = () => jsonPost(limited, '/auth/token', {}, user.accessToken);
      const join = async (response: Response) => {
        const { session_id } = (await response.json()) as { session_id: string };
        markSessionJoined(limited.database.db, {
          userId: user.id,
          sessionId: session_id,
          joinedAtMs: Date.now(),
        });
        return session_id;
      };
      // Tokens nobody joined with do not count.
      for (let i = 0; i < 3; i += 1) expect((await mintOne()).status).toBe(201);
      const first = await join(await mintOne());
      await join(await mintOne());
      const refused = await mintOne();
      expect(refused.status).toBe(409);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
        'session_limit',
      );

      recordSessionEnd(limited.database.db, {
        userId: user.id,
        sessionId: first,
        joinedAtMs: Date.now(),
        endedAtMs: Date.now(),
        reason: 'test',
      });
      expect((await mintOne()).status).toBe(201);
    } finally {
      await limited.close();
    }
  });
});

describe('LIVEKIT_PUBLIC_URL', () => {
  it('is the URL clients get, in both field spellings', async () => {
    const split = await startTestServer({
      LIVEKIT_URL: 'ws://livekit:7880',
      LIVEKIT_PUBLIC_URL: 'ws://localhost:7880',
    });
    try {
      const user = await registerUser(split);
      expect(user.body.livekit_url).toBe('ws://localhost:7880');
      const response = await jsonPost(split, '/auth/token', {}, user.accessToken);
      expect(await response.json()).toMatchObject({
        livekit_url: 'ws://localhost:7880',
        server_url: 'ws://localhost:7880',
      });
    } finally {
      await split.close();
    }
  });
});
