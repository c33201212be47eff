import { once } from 'node:events';
import { type AddressInfo, type Socket, createServer as createNetServer } from 'node:net';
import { TokenVerifier } from 'livekit-server-sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  findSessionById,
  findUserById,
  issueActionToken,
  listAuditEntries,
  setPendingEmail,
  setUserRole,
} from '@attune/db';
import { snapshotTables } from '@attune/db/testing';
import {
  type FakeLiveKit,
  type RegisteredUser,
  type TestServer,
  authedGet,
  jsonPost,
  registerUser,
  signWebhook,
  startFakeLiveKit,
  startTestServer,
  webhookEvent,
} from '../../testing/index.ts';

const API_KEY = 'APIadminTests';
const API_SECRET = 'an-admin-test-secret-long-enough-000';

let livekit: FakeLiveKit;
let server: TestServer;
let admin: RegisteredUser;

beforeAll(async () => {
  livekit = await startFakeLiveKit();
  server = await startTestServer({
    LIVEKIT_URL: livekit.url,
    LIVEKIT_API_KEY: API_KEY,
    LIVEKIT_API_SECRET: API_SECRET,
  });
  admin = await registerUser(server);
  setUserRole(server.database.db, admin.id, 'admin');
});
afterAll(async () => {
  await server.close();
  await livekit.close();
});
beforeEach(() => {
  livekit.requests.length = 0;
  livekit.absent.clear();
});

const send = (method: string, path: string, accessToken: string, body?: unknown) =>
  server.fetch(path, {
    method,
    headers: {
      authorization: `Bearer ${accessToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

async function joinRoom(user: RegisteredUser) {
  const minted = (await (await jsonPost(server, '/auth/token', {}, user.accessToken)).json()) as {
    session_id: string;
    room_name: string;
  };
  const participant = {
    identity: user.id,
    attributes: { 'attune.user_id': user.id, 'attune.session_id': minted.session_id },
    joinedAtMs: Date.now(),
  };
  const { body, headers } = await signWebhook(
    webhookEvent({
      event: 'participant_joined',
      room: minted.room_name,
      createdAtSeconds: Math.floor(Date.now() / 1000),
      participant,
    }),
    API_KEY,
    API_SECRET,
  );
  expect((await server.fetch('/livekit/webhook', { method: 'POST', headers, body })).status).toBe(
    200,
  );
  return minted;
}

describe('admin: users', () => {
  it('lists users a page at a time and searches by email or name', async () => {
    const ada = await registerUser(server, { full_name: 'Ada Searchable' });
    const found = (await (
      await authedGet(server, '/admin/users?search=searchable', admin.accessToken)
    ).json()) as { users: { id: string }[] };
    expect(found.users.map((u) => u.id)).toEqual([ada.id]);
    const page = (await (
      await authedGet(server, '/admin/users?limit=1', admin.accessToken)
    ).json()) as { users: unknown[]; next_cursor: string };
    expect(page.users).toHaveLength(1);
    const next = (await (
      await authedGet(server, `/admin/users?limit=1&cursor=${page.next_cursor}`, admin.accessToken)
    ).json()) as { users: unknown[] };
    expect(next.users).toHaveLength(1);
    expect(next.users).not.toEqual(page.users);
    expect((await authedGet(server, '/admin/users?search=%25', admin.accessToken)).status).toBe(
      200,
    );
  });

  it('suspends a user: their refresh fails, new tokens are refused, and LiveKit removes them from each live room', async () => {
    const bob = await registerUser(server);
    const rooms = [await joinRoom(bob), await joinRoom(bob)];
    const response = await send('PATCH', `/admin/users/${bob.id}`, admin.accessToken, {
      status: 'suspended',
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      user: { status: string };
      livekit: { removed: { roomName: string }[]; failed: unknown[] };
    };
    expect(body.user.status).toBe('suspended');
    expect(body.livekit.failed).toEqual([]);

    const removals = livekit.requests.filter(
      (r) => r.path === '/twirp/livekit.RoomService/RemoveParticipant',
    );
    const removedRooms = removals.map((r) => r.body.room).sort();
    for (const room of rooms) expect(removedRooms).toContain(room.room_name);
    for (const removal of removals) {
      expect(removal.body.identity).toBe(bob.id);
      const grant = await new TokenVerifier(API_KEY, API_SECRET).verify(
        removal.authorization.replace(/^Bearer /, ''),
      );
      expect(grant.video).toMatchObject({ roomAdmin: true, room: removal.body.room });
    }

    expect(
      (await jsonPost(server, '/auth/refresh', { refresh_token: bob.refreshToken })).status,
    ).toBe(401);
    expect((await jsonPost(server, '/auth/token', {}, bob.accessToken)).status).toBe(401);
    expect(
      (await jsonPost(server, '/auth/login', { email: bob.email, password: bob.password })).status,
    ).toBe(403);
    const refusals = listAuditEntries(server.database.db, {
      action: 'login_failure',
      userId: bob.id,
      limit: 5,
    }).entries;
    expect(refusals.map((e) => JSON.parse(e.detail ?? '{}') as { reason: string })).toContainEqual({
      reason: 'suspended',
    });
  });

  it('suspending drops a pending email change: its verification link no longer moves the account', async () => {
    const cy = await registerUser(server);
    const attackerEmail = `attacker-${Date.now()}@example.org`;
    setPendingEmail(server.database.db, cy.id, attackerEmail);
    const kept = issueActionToken(
      server.database.db,
      { purpose: 'email_verification', userId: cy.id, email: attackerEmail, ttlMs: 60 * 60_000 },
      Date.now(),
    ).token;
    const response = await send('PATCH', `/admin/users/${cy.id}`, admin.accessToken, {
      status: 'suspended',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ user: { pending_email: null } });
    const verified = await jsonPost(server, '/auth/email/verify', { token: kept });
    expect(verified.status).toBe(400);
    expect(await verified.json()).toMatchObject({ error: { code: 'invalid_token' } });
    expect(findUserById(server.database.db, cy.id)).toMatchObject({
      email: cy.email,
      pendingEmail: null,
    });
  });

  it('reports, rather than hides, a LiveKit that cannot be reached', async () => {
    const unreachable = await startTestServer({
      LIVEKIT_URL: 'ws://127.0.0.1:9',
      LIVEKIT_API_KEY: API_KEY,
      LIVEKIT_API_SECRET: API_SECRET,
    });
    try {
      const boss = await registerUser(unreachable);
      setUserRole(unreachable.database.db, boss.id, 'admin');
      const carol = await registerUser(unreachable);
      const response = await unreachable.fetch(`/admin/users/${carol.id}`, {
        method: 'PATCH',
        headers: {
          authorization: `Bearer ${boss.accessToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ status: 'suspended' }),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as {
        livekit: { failed: { identity: string; error: string }[] };
      };
      expect(body.livekit.failed.length).toBeGreaterThan(0);
      expect(body.livekit.failed[0]).toMatchObject({ identity: carol.id });
      expect(findUserById(unreachable.database.db, carol.id)?.status).toBe('suspended');
    } finally {
      await unreachable.close();
    }
  });

  it('changes roles with an audit entry, but never the admin’s own, and never for non-admins', async () => {
    const dave = await registerUser(server);
    expect(
      (await send('PATCH', `/admin/users/${dave.id}`, admin.accessToken, { role: 'analyst' }))
        .status,
    ).toBe(200);
    expect(findUserById(server.database.db, dave.id)?.role).toBe('analyst');
    expect(
      (await send('PATCH', `/admin/users/${dave.id}`, dave.accessToken, { role: 'admin' })).status,
    ).toBe(403);
    expect(
      (await send('PATCH', `/admin/users/${admin.id}`, admin.accessToken, { role: 'user' })).status,
    ).toBe(409);
    expect(
      (await send('PATCH', `/admin/users/nobody`, admin.accessToken, { role: 'user' })).status,
    ).toBe(404);
    expect((await send('PATCH', `/admin/users/${dave.id}`, admin.accessToken, {})).status).toBe(
      400,
    );
    const auditPage = (await (
      await authedGet(server, `/admin/audit?action=role_change&user=${dave.id}`, admin.accessToken)
    ).json()) as {
      entries: { actor_id: string; target: string; detail: unknown }[];
    };
    expect(auditPage.entries[0]).toMatchObject({
      actor_id: admin.id,
      target: dave.id,
      detail: { from: 'user', to: 'analyst' },
    });
  });

  it('never moves an account into or out of the guest role', async () => {
    const hal = await registerUser(server);
    const toGuest = await send('PATCH', `/admin/users/${hal.id}`, admin.accessToken, {
      role: 'guest',
    });
    expect(toGuest.status).toBe(409);
    expect(((await toGuest.json()) as { error: { code: string } }).error.code).toBe(
      'guest_role_fixed',
    );
    const guest = (await (await jsonPost(server, '/auth/guest', {})).json()) as {
      user: { id: string };
    };
    expect(
      (await send('PATCH', `/admin/users/${guest.user.id}`, admin.accessToken, { role: 'user' }))
        .status,
    ).toBe(409);
  });

  it('deletes a user and every row that refers to them', async () => {
    const erin = await registerUser(server);
    await joinRoom(erin);
    const response = await send('DELETE', `/admin/users/${erin.id}`, admin.accessToken);
    expect(response.status).toBe(200);
    expect(JSON.stringify(snapshotTables(server.database.db))).not.toContain(erin.id);
    expect((await send('DELETE', `/admin/users/${erin.id}`, admin.accessToken)).status).toBe(404);
  });
});

describe('admin: sessions, stats, audit', () => {
  it('lists active sessions and terminates one: participant removed, devices signed out, session ended', async () => {
    const frank = await registerUser(server);
    const room = await joinRoom(frank);
    const active = (await (
      await authedGet(server, '/admin/sessions', admin.accessToken)
    ).json()) as { sessions: { id: string; status: string }[] };
    expect(active.sessions.map((s) => s.id)).toContain(room.session_id);
    expect(active.sessions.every((s) => s.status === 'active')).toBe(true);

    const response = await send(
      'POST',
      `/admin/sessions/${room.session_id}/terminate`,
      admin.accessToken,
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      session: { status: string; end_reason: string };
      livekit: { removed: unknown[] };
    };
    expect(body.session).toMatchObject({ status: 'ended', end_reason: 'terminated' });
    expect(body.livekit.removed).toEqual([{ roomName: room.room_name, identity: frank.id }]);
    expect(findSessionById(server.database.db, room.session_id)?.endSource).toBe('admin');
    expect(
      (await jsonPost(server, '/auth/refresh', { refresh_token: frank.refreshToken })).status,
    ).toBe(401);
    expect(
      (await send('POST', `/admin/sessions/${room.session_id}/terminate`, admin.accessToken))
        .status,
    ).toBe(409);
    expect((await send('POST', '/admin/sessions/nope/terminate', admin.accessToken)).status).toBe(
      404,
    );
  });

  it('says when the participant was not in the room', async () => {
    const gina = await registerUser(server);
    const room = await joinRoom(gina);
    livekit.absent.add(gina.id);
    const body = (await (
      await send('POST', `/admin/sessions/${room.session_id}/terminate`, admin.accessToken)
    ).json()) as {
      livekit: { notInRoom: unknown[]; failed: unknown[] };
    };
    expect(body.livekit).toMatchObject({
      notInRoom: [{ roomName: room.room_name, identity: gina.id }],
      failed: [],
    });
  });

  it('counts users and sessions', async () => {
    const stats = (await (await authedGet(server, '/admin/stats', admin.accessToken)).json()) as {
      users: { total: number; by_role: Record<string, number> };
      tokens_minted_last_24h: number;
    };
    expect(stats.users.by_role.admin).toBe(1);
    expect(stats.users.total).toBeGreaterThan(3);
    expect(stats.tokens_minted_last_24h).toBeGreaterThan(3);
  });

  it('pages through the audit log newest first', async () => {
    const first = (await (
      await authedGet(server, '/admin/audit?limit=2', admin.accessToken)
    ).json()) as { entries: { id: number }[]; next_cursor: number };
    expect(first.entries).toHaveLength(2);
    expect(first.entries[0]!.id).toBeGreaterThan(first.entries[1]!.id);
    const next = (await (
      await authedGet(server, `/admin/audit?limit=2&cursor=${first.next_cursor}`, admin.accessToken)
    ).json()) as { entries: { id: number }[] };
    expect(next.entries[0]!.id).toBeLessThan(first.entries[1]!.id);
  });
});

/** Stands in for a LiveKit that accepts connections and never answers. */
async function startHungLiveKit() {
  const sockets = new Set<Socket>();
  const hung = createNetServer((socket) => sockets.add(socket));
  hung.listen(0, '127.0.0.1');
  await once(hung, 'listening');
  return {
    url: `ws://127.0.0.1:${(hung.address() as AddressInfo).port}`,
    /** Resolves once the service has opened a connection to LiveKit. */
    called: () => (sockets.size > 0 ? Promise.resolve() : once(hung, 'connection')),
    /** Drops the connections it holds, so the service's calls fail at once. */
    release() {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
    close() {
      this.release();
      return new Promise((resolve) => hung.close(resolve));
    },
  };
}

describe('admin: a LiveKit that hangs', () => {
  let hung: Awaited<ReturnType<typeof startHungLiveKit>>;
  let stalled: TestServer;
  let boss: RegisteredUser;
  beforeAll(async () => {
    hung = await startHungLiveKit();
    stalled = await startTestServer({
      LIVEKIT_URL: hung.url,
      LIVEKIT_API_KEY: API_KEY,
      LIVEKIT_API_SECRET: API_SECRET,
    });
    boss = await registerUser(stalled);
    setUserRole(stalled.database.db, boss.id, 'admin');
  });
  afterAll(async () => {
    await hung.close();
    await stalled.close();
  });

  const call = (method: string, path: string) =>
    stalled.fetch(path, { method, headers: { authorization: `Bearer ${boss.accessToken}` } });

  it('deletes the account before it calls LiveKit: while LiveKit hangs, the user is already out', async () => {
    const ivy = await registerUser(stalled);
    expect((await jsonPost(stalled, '/auth/token', {}, ivy.accessToken)).status).toBe(201);
    const deleting = call('DELETE', `/admin/users/${ivy.id}`);
    await hung.called();
    expect((await jsonPost(stalled, '/auth/token', {}, ivy.accessToken)).status).toBe(401);
    expect(
      (await jsonPost(stalled, '/auth/refresh', { refresh_token: ivy.refreshToken })).status,
    ).toBe(401);
    expect(findUserById(stalled.database.db, ivy.id)).toBeUndefined();
    hung.release();
    const response = await deleting;
    expect(response.status).toBe(200);
    const body = (await response.json()) as { livekit: { failed: { identity: string }[] } };
    // Sign-up and the token each gave a room: both removals were tried, and both failed.
    expect(body.livekit.failed.map((f) => f.identity)).toEqual([ivy.id, ivy.id]);
  });

  it('ends the session and signs the user out before it calls LiveKit', async () => {
    const jay = await registerUser(stalled);
    const minted = (await (await jsonPost(stalled, '/auth/token', {}, jay.accessToken)).json()) as {
      session_id: string;
    };
    const terminating = call('POST', `/admin/sessions/${minted.session_id}/terminate`);
    await hung.called();
    expect(findSessionById(stalled.database.db, minted.session_id)?.status).toBe('ended');
    expect(
      (await jsonPost(stalled, '/auth/refresh', { refresh_token: jay.refreshToken })).status,
    ).toBe(401);
    hung.release();
    const response = await terminating;
    expect(response.status).toBe(200);
    const body = (await response.json()) as { livekit: { failed: { identity: string }[] } };
    expect(body.livekit.failed).toMatchObject([{ identity: jay.id }]);
  });
});
