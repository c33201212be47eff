// The moderator role against the real server: what it may do to users and sessions, and what it
// may not (roles, admins and moderators, deletion, accounts, cleanup, stats, analytics).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSessionById, findUserById, setUserRole } from '@attune/db';
import {
  type RegisteredUser,
  type TestServer,
  authedGet,
  jsonPost,
  registerUser,
  startTestServer,
} from '../../testing/index.ts';

let server: TestServer;
let admin: RegisteredUser;
let moderator: RegisteredUser;

beforeAll(async () => {
  // Nothing listens on port 9: removals from rooms are reported as failed, quickly.
  server = await startTestServer({ LIVEKIT_URL: 'ws://127.0.0.1:9' });
  admin = await registerUser(server);
  setUserRole(server.database.db, admin.id, 'admin');
  moderator = await registerUser(server);
  setUserRole(server.database.db, moderator.id, 'moderator');
});
afterAll(async () => {
  await server.close();
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

const errorOf = async (response: Response) =>
  ((await response.json()) as { error: { code: string; message: string } }).error;

describe('moderator', () => {
  it('suspends and reactivates a user', async () => {
    const ann = await registerUser(server);
    const suspend = await send('PATCH', `/admin/users/${ann.id}`, moderator.accessToken, {
      status: 'suspended',
    });
    expect(suspend.status).toBe(200);
    expect(findUserById(server.database.db, ann.id)?.status).toBe('suspended');
    expect(
      (await jsonPost(server, '/auth/refresh', { refresh_token: ann.refreshToken })).status,
    ).toBe(401);
    const reactivate = await send('PATCH', `/admin/users/${ann.id}`, moderator.accessToken, {
      status: 'active',
    });
    expect(reactivate.status).toBe(200);
    expect(findUserById(server.database.db, ann.id)?.status).toBe('active');
  });

  it('may not change a role, even alongside a status', async () => {
    const bob = await registerUser(server);
    for (const body of [
      { role: 'analyst' },
      { role: 'user' },
      { role: 'admin', status: 'active' },
    ]) {
      const response = await send('PATCH', `/admin/users/${bob.id}`, moderator.accessToken, body);
      expect(response.status).toBe(403);
      expect(await errorOf(response)).toMatchObject({
        code: 'forbidden',
        message: 'Moderators cannot change roles; an admin can',
      });
    }
    expect(findUserById(server.database.db, bob.id)?.role).toBe('user');
    // The same change is an admin's to make.
    expect(
      (await send('PATCH', `/admin/users/${bob.id}`, admin.accessToken, { role: 'analyst' }))
        .status,
    ).toBe(200);
  });

  it('may not suspend an admin or another moderator, nor end their sessions', async () => {
    const other = await registerUser(server);
    setUserRole(server.database.db, other.id, 'moderator');
    for (const target of [admin, other]) {
      const response = await send('PATCH', `/admin/users/${target.id}`, moderator.accessToken, {
        status: 'suspended',
      });
      expect(response.status).toBe(403);
      expect((await errorOf(response)).code).toBe('forbidden');
      expect(findUserById(server.database.db, target.id)?.status).toBe('active');
    }
    const minted = (await (
      await jsonPost(server, '/auth/token', {}, admin.accessToken)
    ).json()) as {
      session_id: string;
    };
    const terminate = await send(
      'POST',
      `/admin/sessions/${minted.session_id}/terminate`,
      moderator.accessToken,
    );
    expect(terminate.status).toBe(403);
    expect(findSessionById(server.database.db, minted.session_id)?.status).toBe('issued');
  });

  it('terminates a user’s session', async () => {
    const cat = await registerUser(server);
    const minted = (await (await jsonPost(server, '/auth/token', {}, cat.accessToken)).json()) as {
      session_id: string;
    };
    const response = await send(
      'POST',
      `/admin/sessions/${minted.session_id}/terminate`,
      moderator.accessToken,
    );
    expect(response.status).toBe(200);
    expect(findSessionById(server.database.db, minted.session_id)?.status).toBe('ended');
  });

  it('lists users, sessions and the audit log, and reads one user', async () => {
    for (const path of [
      '/admin/users',
      '/admin/sessions',
      '/admin/audit',
      `/admin/users/${admin.id}`,
    ])
      expect((await authedGet(server, path, moderator.accessToken)).status, path).toBe(200);
  });

  it('may not delete, create, invite, clean up, read stats or analytics', async () => {
    const dan = await registerUser(server);
    const refused: [string, string, unknown?][] = [
      ['DELETE', `/admin/users/${dan.id}`],
      ['POST', '/admin/users', { email: 'm@example.org', full_name: 'M', role: 'user' }],
      ['POST', '/admin/invitations', { email: 'm@example.org' }],
      ['POST', '/admin/cleanup'],
      ['GET', '/admin/stats'],
      ['GET', '/analytics/sessions'],
    ];
    for (const [method, path, body] of refused) {
      const response = await send(method, path, moderator.accessToken, body);
      expect(response.status, `${method} ${path}`).toBe(403);
      expect((await errorOf(response)).code).toBe('forbidden');
    }
    expect(findUserById(server.database.db, dan.id)).toBeDefined();
  });
});
