// GET /admin/rooms against a stand-in for LiveKit's Twirp API on loopback (the SFU cannot run
// here; the stand-in answers ListRooms and ListParticipants with protobuf-JSON as LiveKit does),
// and POST /admin/cleanup against the real sweep.
import { once } from 'node:events';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenVerifier } from 'livekit-server-sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findSessionById, findUserById, listAuditEntries, setUserRole } from '@attune/db';
import {
  type RegisteredUser,
  type TestServer,
  authedGet,
  jsonPost,
  registerUser,
  startTestServer,
} from '../../testing/index.ts';

const API_KEY = 'APIroomsTests';
const API_SECRET = 'a-rooms-test-secret-long-enough-0000';
const JOINED_MS = 1_750_000_001_500;

/** How the stand-in answers: as LiveKit, never (a hung server), or with a 500. */
type Mode = 'answer' | 'hang' | 'fail';

interface StandIn {
  server: Server;
  mode: Mode;
  requests: { path: string; authorization: string; body: Record<string, unknown> }[];
  hung: ServerResponse[];
}

const ROOMS = {
  rooms: [
    {
      sid: 'RM_b',
      name: 'room-b',
      creationTime: '1750000000',
      creationTimeMs: '1750000000250',
      numParticipants: 2,
    },
    { sid: 'RM_a', name: 'room-a', creationTime: '1750000100', numParticipants: 0 },
    // Listed, then closed before its participants are asked for: LiveKit answers 404.
    { sid: 'RM_gone', name: 'room-gone', creationTime: '1750000200', numParticipants: 1 },
  ],
};
const PARTICIPANTS: Record<string, unknown> = {
  'room-b': {
    participants: [
      {
        sid: 'PA_1',
        identity: 'user-1',
        name: 'Ada',
        state: 'ACTIVE',
        joinedAt: '1750000001',
        joinedAtMs: String(JOINED_MS),
        kind: 'STANDARD',
        attributes: { 'attune.user_id': 'user-1', 'attune.session_id': 's-1' },
      },
      {
        sid: 'PA_2',
        identity: 'agent-AJ_1',
        name: 'Attune',
        state: 'JOINED',
        joinedAt: '1750000002',
        kind: 'AGENT',
      },
    ],
  },
  'room-a': { participants: [] },
};

async function answer(standIn: StandIn, req: IncomingMessage, res: ServerResponse) {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>;
  standIn.requests.push({
    path: req.url ?? '',
    authorization: req.headers.authorization ?? '',
    body,
  });
  if (standIn.mode === 'hang') {
    standIn.hung.push(res);
    return;
  }
  res.setHeader('content-type', 'application/json');
  if (standIn.mode === 'fail') {
    res.statusCode = 500;
    res.end(JSON.stringify({ code: 'internal', msg: 'the SFU is on fire' }));
    return;
  }
  if (req.url === '/twirp/livekit.RoomService/ListRooms') {
    res.end(JSON.stringify(ROOMS));
    return;
  }
  const participants =
    req.url === '/twirp/livekit.RoomService/ListParticipants'
      ? PARTICIPANTS[String(body.room)]
      : undefined;
  if (participants === undefined) {
    res.statusCode = 404;
    res.end(JSON.stringify({ code: 'not_found', msg: 'requested room does not exist' }));
    return;
  }
  res.end(JSON.stringify(participants));
}

async function startStandIn(): Promise<StandIn> {
  const standIn: StandIn = { server: createServer(), mode: 'answer', requests: [], hung: [] };
  standIn.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void answer(standIn, req, res).catch((error: unknown) => {
      res.statusCode = 500;
      res.end();
      throw error;
    });
  });
  standIn.server.listen(0, '127.0.0.1');
  await once(standIn.server, 'listening');
  return standIn;
}

let standIn: StandIn;
let livekitUrl: string;
let server: TestServer;
let admin: RegisteredUser;
let moderator: RegisteredUser;

beforeAll(async () => {
  standIn = await startStandIn();
  livekitUrl = `ws://127.0.0.1:${(standIn.server.address() as AddressInfo).port}`;
  server = await startTestServer({
    LIVEKIT_URL: livekitUrl,
    LIVEKIT_API_KEY: API_KEY,
    LIVEKIT_API_SECRET: API_SECRET,
    LIVEKIT_API_TIMEOUT_SECONDS: '0.5',
  });
  admin = await registerUser(server);
  setUserRole(server.database.db, admin.id, 'admin');
  moderator = await registerUser(server);
  setUserRole(server.database.db, moderator.id, 'moderator');
});
afterAll(async () => {
  await server.close();
  for (const res of standIn.hung) res.destroy();
  standIn.server.closeAllConnections();
  await new Promise((resolve) => standIn.server.close(resolve));
});
beforeEach(() => {
  standIn.mode = 'answer';
  standIn.requests.length = 0;
});

describe('GET /admin/rooms', () => {
  it('lists LiveKit’s rooms and participants, for admins and moderators', async () => {
    for (const caller of [admin, moderator]) {
      const response = await authedGet(server, '/admin/rooms', caller.accessToken);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        rooms: [
          {
            name: 'room-a',
            created_at: new Date(1_750_000_100_000).toISOString(),
            num_participants: 0,
            participants: [],
          },
          {
            name: 'room-b',
            created_at: new Date(1_750_000_000_250).toISOString(),
            num_participants: 2,
            participants: [
              {
                identity: 'user-1',
                name: 'Ada',
                user_id: 'user-1',
                joined_at: new Date(JOINED_MS).toISOString(),
                state: 'active',
                kind: 'standard',
              },
              {
                identity: 'agent-AJ_1',
                name: 'Attune',
                user_id: null,
                joined_at: new Date(1_750_000_002_000).toISOString(),
                state: 'joined',
                kind: 'agent',
              },
            ],
          },
          {
            name: 'room-gone',
            created_at: new Date(1_750_000_200_000).toISOString(),
            num_participants: 1,
            participants: [],
          },
        ],
      });
    }
    // Each call carried a token signed with the API secret that may list rooms.
    const list = standIn.requests.find((r) => r.path.endsWith('/ListRooms'))!;
    const grant = await new TokenVerifier(API_KEY, API_SECRET).verify(
      list.authorization.replace(/^Bearer /, ''),
    );
    expect(grant.video).toMatchObject({ roomList: true });
  });

  it('answers 502 livekit_unavailable naming the URL when LiveKit fails', async () => {
    standIn.mode = 'fail';
    const response = await authedGet(server, '/admin/rooms', admin.accessToken);
    expect(response.status).toBe(502);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('livekit_unavailable');
    expect(body.error.message).toContain(livekitUrl.replace('ws://', 'http://'));
    expect(body.error.message).toContain('500');
  });

  it('answers 502 within the timeout when LiveKit never answers', async () => {
    standIn.mode = 'hang';
    const started = Date.now();
    const response = await authedGet(server, '/admin/rooms', admin.accessToken);
    expect(response.status).toBe(502);
    expect(Date.now() - started).toBeLessThan(3_000);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error).toMatchObject({ code: 'livekit_unavailable' });
    expect(body.error.message).toContain('no answer within 500 ms');
  });

  it('answers 502 when LiveKit cannot be reached at all', async () => {
    const unreachable = await startTestServer({ LIVEKIT_URL: 'ws://127.0.0.1:9' });
    try {
      const boss = await registerUser(unreachable);
      setUserRole(unreachable.database.db, boss.id, 'admin');
      const response = await authedGet(unreachable, '/admin/rooms', boss.accessToken);
      expect(response.status).toBe(502);
      expect(await response.json()).toMatchObject({
        error: {
          code: 'livekit_unavailable',
          message: expect.stringContaining('http://127.0.0.1:9') as string,
        },
      });
    } finally {
      await unreachable.close();
    }
  });

  it('is refused to analysts and users', async () => {
    const analyst = await registerUser(server);
    setUserRole(server.database.db, analyst.id, 'analyst');
    expect((await authedGet(server, '/admin/rooms', analyst.accessToken)).status).toBe(403);
    const user = await registerUser(server);
    expect((await authedGet(server, '/admin/rooms', user.accessToken)).status).toBe(403);
    expect(standIn.requests).toEqual([]);
  });
});

describe('POST /admin/cleanup', () => {
  it('runs the sweep now: expired guests deleted, unused tokens expired; audited', async () => {
    const guest = (await (await jsonPost(server, '/auth/guest', {})).json()) as {
      user: { id: string };
    };
    const idle = await registerUser(server);
    const minted = await jsonPost(server, '/auth/token', {}, idle.accessToken);
    expect(minted.status).toBe(201);
    const { session_id: idleSession } = (await minted.json()) as { session_id: string };
    server.advanceClock(server.config.guests.ttlMs + server.config.livekit.tokenTtlMs + 120_000);
    // The admin signs in again: their access token has expired on the moved clock.
    const fresh = (await (
      await jsonPost(server, '/auth/login', { email: admin.email, password: admin.password })
    ).json()) as { access_token: string };

    const response = await jsonPost(server, '/admin/cleanup', undefined, fresh.access_token);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ guests_deleted: 1, livekit: null });
    // Sign-ups and guests get room tokens too: every token nobody joined with is expired.
    expect(body.expired_sessions).toBeGreaterThanOrEqual(1);
    expect(findSessionById(server.database.db, idleSession)?.status).toBe('expired');
    for (const key of [
      'timed_out_sessions',
      'pruned_webhook_events',
      'pruned_action_tokens',
      'pruned_throttle_rows',
    ])
      expect(body[key]).toEqual(expect.any(Number));
    expect(findUserById(server.database.db, guest.user.id)).toBeUndefined();
    expect(
      listAuditEntries(server.database.db, { action: 'cleanup', limit: 5 }).entries[0],
    ).toMatchObject({ actorId: admin.id });

    const moderatorAgain = (await (
      await jsonPost(server, '/auth/login', {
        email: moderator.email,
        password: moderator.password,
      })
    ).json()) as { access_token: string };
    expect(
      (await jsonPost(server, '/admin/cleanup', undefined, moderatorAgain.access_token)).status,
    ).toBe(403);
  });
});
