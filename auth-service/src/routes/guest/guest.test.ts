import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findUserById, markSessionJoined } from '@attune/db';
import { type TestServer, jsonPost, startTestServer } from '../../testing/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

interface GuestBody {
  access_token: string;
  refresh_token: string;
  livekit_token: string;
  user: { id: string; email: string; full_name: string; role: string };
}

describe('POST /auth/guest', () => {
  it('creates a short-lived guest user with credentials and a LiveKit token', async () => {
    const response = await jsonPost(server, '/auth/guest', { full_name: 'Visitor' });
    expect(response.status).toBe(201);
    const body = (await response.json()) as GuestBody;
    expect(body.user).toMatchObject({ role: 'guest', full_name: 'Visitor' });
    expect(body.user.email).toMatch(/^guest-[0-9a-f-]+@guests\.attune\.invalid$/);
    expect(body.livekit_token.split('.')).toHaveLength(3);
    expect(findUserById(server.database.db, body.user.id)?.role).toBe('guest');
    const me = await server.fetch('/auth/me', {
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    expect(me.status).toBe(200);
  });

  it('accepts an empty body, and refuses unknown fields', async () => {
    const empty = await server.fetch('/auth/guest', { method: 'POST' });
    expect(empty.status).toBe(201);
    expect(((await empty.json()) as GuestBody).user.full_name).toBe('Guest');
    expect((await jsonPost(server, '/auth/guest', { role: 'admin' })).status).toBe(400);
  });

  it('gives the guest account no password anyone can sign in with', async () => {
    const guest = (await (await jsonPost(server, '/auth/guest', {})).json()) as GuestBody;
    for (const password of ['', 'Guest', 'password', guest.user.id]) {
      const login = await jsonPost(server, '/auth/login', {
        email: guest.user.email,
        password: password.padEnd(8, 'x'),
      });
      expect(login.status).toBe(401);
    }
  });

  it('holds guests to their own, lower session limit', async () => {
    const guest = (await (await jsonPost(server, '/auth/guest', {})).json()) as GuestBody & {
      session_id: string;
    };
    const join = (sessionId: string) =>
      markSessionJoined(server.database.db, {
        userId: guest.user.id,
        sessionId,
        joinedAtMs: Date.now(),
      });
    join(guest.session_id);
    for (let i = 1; i < server.config.guests.maxSessions; i += 1) {
      const minted = await jsonPost(server, '/auth/token', {}, guest.access_token);
      expect(minted.status).toBe(201);
      join(((await minted.json()) as { session_id: string }).session_id);
    }
    expect((await jsonPost(server, '/auth/token', {}, guest.access_token)).status).toBe(409);
  });

  it('is refused when ENABLE_GUEST_ACCESS=false', async () => {
    const closed = await startTestServer({ ENABLE_GUEST_ACCESS: 'false' });
    try {
      const response = await jsonPost(closed, '/auth/guest', {});
      expect(response.status).toBe(403);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
        'guest_access_disabled',
      );
    } finally {
      await closed.close();
    }
  });
});
