import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotTables } from '@attune/db/testing';
import {
  type TestServer,
  authedGet,
  jsonPost,
  startTestServer,
} from '../../testing/test-server.ts';
import {
  type Person,
  call,
  errorCode,
  refresh,
  register,
  rowsMentioning,
  say,
  signInAgain,
} from './me-testing.ts';

/**
 * User B, signed in, tries every /me route with every id of user A they could get hold of. A's
 * rows must read the same before and after, and nothing B reads may contain them.
 */
let server: TestServer;
let ann: Person & { phone: { accessToken: string; refreshToken: string } };
let bob: Person;
let annFamilies: string[];
let annSessions: string[];
let annHistoryCursor: string;
let annSessionsCursor: string;
let annRowsBefore: Record<string, unknown[]>;

const ANN_SECRET = 'ann-only-words-7f3a';
const annRows = () => rowsMentioning(snapshotTables(server.database.db), ann.id, ann.email);

/** Everything B reads must be free of A's id, email, words, devices and sessions. */
function expectNothingOfAnn(text: string) {
  for (const needle of [ann.id, ann.email, ANN_SECRET, ...annFamilies, ...annSessions])
    expect(text).not.toContain(needle);
}

beforeAll(async () => {
  server = await startTestServer();
  const a = await register(server, { full_name: 'Ann', password: 'ann’s own password' });
  ann = { ...a, phone: await signInAgain(server, a, 'ann phone') };
  bob = await register(server, { full_name: 'Bob', password: 'bob’s first password' });
  await signInAgain(server, bob, 'bob phone');

  for (const [who, key, value] of [
    [ann, 'units', `metric ${ANN_SECRET}`],
    [ann, 'ann private', `diary ${ANN_SECRET}`],
    [bob, 'units', 'imperial'],
  ] as const) {
    expect(
      (
        await call(server, 'PUT', `/me/preferences/${encodeURIComponent(key)}`, who.accessToken, {
          value,
        })
      ).status,
    ).toBe(200);
  }
  const annSecond = (await (await jsonPost(server, '/auth/token', {}, ann.accessToken)).json()) as {
    session_id: string;
  };
  say(server, ann.id, ann.sessionId, `hello ${ANN_SECRET}`, 1_000);
  say(server, ann.id, annSecond.session_id, `again ${ANN_SECRET}`, 5_000);
  say(server, ann.id, null, `loose ${ANN_SECRET}`, 3_000);
  say(server, bob.id, bob.sessionId, 'bob says hi', 2_000);
  say(server, bob.id, null, 'bob loose', 4_000);

  const devices = (await (await authedGet(server, '/me/devices', ann.accessToken)).json()) as {
    devices: { id: string }[];
  };
  annFamilies = devices.devices.map((d) => d.id);
  expect(annFamilies).toHaveLength(2);
  annSessions = (
    snapshotTables(server.database.db).user_sessions as { id: string; userId: string }[]
  )
    .filter((s) => s.userId === ann.id)
    .map((s) => s.id);
  expect(annSessions.length).toBeGreaterThanOrEqual(3);
  const history = (await (
    await authedGet(server, '/me/history?limit=1', ann.accessToken)
  ).json()) as { next_cursor: string };
  annHistoryCursor = history.next_cursor;
  const sessions = (await (
    await authedGet(server, '/me/sessions?limit=1', ann.accessToken)
  ).json()) as { next_cursor: string };
  annSessionsCursor = sessions.next_cursor;
  expect(annHistoryCursor && annSessionsCursor).toBeTruthy();

  annRowsBefore = annRows();
  for (const table of [
    'users',
    'refresh_tokens',
    'rooms',
    'user_sessions',
    'user_preferences',
    'conversation_turns',
  ]) {
    expect(annRowsBefore[table]?.length, table).toBeGreaterThan(0);
  }
});
afterAll(async () => {
  await server.close();
});

describe('user B never sees or changes user A’s rows', () => {
  it('GET /me/sessions (also with A’s cursor)', async () => {
    for (const path of ['/me/sessions', `/me/sessions?cursor=${annSessionsCursor}`]) {
      const response = await authedGet(server, path, bob.accessToken);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { sessions: { user_id: string }[] };
      expect(body.sessions.every((s) => s.user_id === bob.id)).toBe(true);
      expectNothingOfAnn(JSON.stringify(body));
    }
    expect(
      (await authedGet(server, `/me/sessions?user_id=${ann.id}`, bob.accessToken)).status,
    ).toBe(400);
  });

  it('GET/PUT/DELETE /me/preferences, with A’s keys', async () => {
    const listed = await authedGet(server, '/me/preferences', bob.accessToken);
    const body = (await listed.json()) as { preferences: { key: string; value: string }[] };
    expect(body.preferences.map((p) => [p.key, p.value])).toEqual([['units', 'imperial']]);
    expectNothingOfAnn(JSON.stringify(body));

    const missing = await call(server, 'DELETE', '/me/preferences/ann%20private', bob.accessToken);
    expect(missing.status).toBe(404);
    expect(await errorCode(missing)).toBe('preference_not_found');

    // The same key names B's own row.
    expect(
      (await call(server, 'PUT', '/me/preferences/units', bob.accessToken, { value: 'kelvin' }))
        .status,
    ).toBe(200);
    expect(
      (
        await call(server, 'PUT', '/me/preferences/ann%20private', bob.accessToken, {
          value: 'bob’s own',
        })
      ).status,
    ).toBe(200);
    expect(
      (await call(server, 'DELETE', '/me/preferences/ann%20private', bob.accessToken)).status,
    ).toBe(204);
    expect((await call(server, 'DELETE', '/me/preferences/units', bob.accessToken)).status).toBe(
      204,
    );
    const smuggled = await call(server, 'PUT', '/me/preferences/units', bob.accessToken, {
      value: 'x',
      user_id: ann.id,
    });
    expect(smuggled.status).toBe(400);
    expect(annRows()).toEqual(annRowsBefore);
  });

  it('GET/DELETE /me/history (also with A’s cursor)', async () => {
    for (const path of [
      '/me/history',
      `/me/history?cursor=${annHistoryCursor}`,
      '/me/history?limit=100',
    ]) {
      const response = await authedGet(server, path, bob.accessToken);
      expect(response.status).toBe(200);
      expectNothingOfAnn(await response.text());
    }
    const all = (await (await authedGet(server, '/me/history', bob.accessToken)).json()) as {
      history: { turns: { text: string }[] }[];
    };
    expect(all.history.flatMap((g) => g.turns.map((t) => t.text)).sort()).toEqual([
      'bob loose',
      'bob says hi',
    ]);
    expect((await authedGet(server, `/me/history?user_id=${ann.id}`, bob.accessToken)).status).toBe(
      400,
    );

    expect((await call(server, 'DELETE', '/me/history', bob.accessToken)).status).toBe(204);
    expect(annRows()).toEqual(annRowsBefore);
  });

  it('GET /me/export', async () => {
    const response = await authedGet(server, '/me/export', bob.accessToken);
    expect(response.status).toBe(200);
    const text = await response.text();
    expectNothingOfAnn(text);
    expect((JSON.parse(text) as { user: { id: string } }).user.id).toBe(bob.id);
  });

  it('GET /me/devices and DELETE /me/devices/:id with each of A’s device ids', async () => {
    const listed = await authedGet(server, `/me/devices?user_id=${ann.id}`, bob.accessToken);
    expect(listed.status).toBe(200);
    const body = (await listed.json()) as { devices: unknown[] };
    expect(body.devices).toHaveLength(2);
    expectNothingOfAnn(JSON.stringify(body));

    const before = snapshotTables(server.database.db);
    for (const id of annFamilies) {
      const response = await call(server, 'DELETE', `/me/devices/${id}`, bob.accessToken);
      expect(response.status).toBe(404);
      expect(await errorCode(response)).toBe('device_not_found');
    }
    // Not even an audit entry: the whole database is unchanged.
    expect(snapshotTables(server.database.db)).toEqual(before);
  });

  it('POST /me/password signs out only B’s other devices', async () => {
    const response = await call(server, 'POST', '/me/password', bob.accessToken, {
      current_password: bob.password,
      new_password: 'bob’s new password',
    });
    expect(response.status).toBe(204);
    // A's own password is not B's to change: A's current one is refused to B, and still A's.
    const withAnnsPassword = await call(server, 'POST', '/me/password', bob.accessToken, {
      current_password: ann.password,
      new_password: 'something else entirely',
    });
    expect(withAnnsPassword.status).toBe(401);
    expect(annRows()).toEqual(annRowsBefore);
  });

  it('DELETE /me deletes B only, and A’s devices keep working', async () => {
    expect(
      (await call(server, 'DELETE', '/me', bob.accessToken, { password: 'bob’s new password' }))
        .status,
    ).toBe(204);
    const after = snapshotTables(server.database.db);
    expect(rowsMentioning(after, ann.id, ann.email)).toEqual(annRowsBefore);
    expect(JSON.stringify(after)).not.toContain(bob.id);

    expect((await authedGet(server, '/auth/me', ann.accessToken)).status).toBe(200);
    expect((await authedGet(server, '/auth/me', ann.phone.accessToken)).status).toBe(200);
    expect((await refresh(server, ann.phone.refreshToken)).status).toBe(200);
    const prefs = (await (await authedGet(server, '/me/preferences', ann.accessToken)).json()) as {
      preferences: unknown[];
    };
    expect(prefs.preferences).toHaveLength(2);
  });
});
