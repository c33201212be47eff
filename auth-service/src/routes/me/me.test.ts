import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AuditEntry,
  type ConversationTurn,
  type RefreshToken,
  insertRefreshTokenFamily,
  listPreferences,
  savePreference,
  setUserRole,
} from '@attune/db';
import { normalizePreferenceKey } from '@attune/db';
import { snapshotTables } from '@attune/db/testing';
import type { AppDeps } from '../../deps.ts';
import { createRouteGuard } from '../../http/route-guard.ts';
import {
  type TestServer,
  authedGet,
  jsonPost,
  startTestServer,
} from '../../testing/test-server.ts';
import { type Person, call, errorCode, refresh, register, say, signInAgain } from './me-testing.ts';
import { createMeRouter } from './me.index.ts';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const db = () => server.database.db;
const turnsOf = (userId: string) =>
  (snapshotTables(db()).conversation_turns as ConversationTurn[]).filter(
    (t) => t.userId === userId,
  );
const tokensOf = (userId: string) =>
  (snapshotTables(db()).refresh_tokens as RefreshToken[]).filter((t) => t.userId === userId);
const auditOf = (action: string) =>
  (snapshotTables(db()).audit_log as AuditEntry[]).filter((e) => e.action === action);

describe('preference keys', () => {
  it('are normalised the way the agent does', () => {
    expect(normalizePreferenceKey('Answer length')).toBe('answer length');
    expect(normalizePreferenceKey('answer_length')).toBe('answer length');
    expect(normalizePreferenceKey(' ANSWER  length ')).toBe('answer length');
    expect(normalizePreferenceKey('home__ _city')).toBe('home city');
    expect(normalizePreferenceKey('_units_')).toBe('units');
    expect(normalizePreferenceKey(' _ ')).toBe('');
  });
});

describe('GET/PUT/DELETE /me/preferences', () => {
  let ann: Person;
  beforeAll(async () => {
    ann = await register(server);
  });

  it('saves, lists, replaces and deletes preferences under normalised keys', async () => {
    expect(await (await authedGet(server, '/me/preferences', ann.accessToken)).json()).toEqual({
      preferences: [],
    });

    const put = await call(
      server,
      'PUT',
      `/me/preferences/${encodeURIComponent(' Answer_ Length ')}`,
      ann.accessToken,
      { value: '  short answers ' },
    );
    expect(put.status).toBe(200);
    const saved = (await put.json()) as Record<string, string>;
    expect(saved).toEqual({
      key: 'answer length',
      value: 'short answers',
      updated_at: saved.updated_at,
    });
    expect(saved.updated_at).toMatch(ISO);
    expect(listPreferences(db(), ann.id)).toEqual([
      {
        userId: ann.id,
        key: 'answer length',
        value: 'short answers',
        updatedAt: Date.parse(saved.updated_at!),
      },
    ]);

    expect(
      (
        await call(server, 'PUT', '/me/preferences/ANSWER%20LENGTH', ann.accessToken, {
          value: 'long answers',
        })
      ).status,
    ).toBe(200);
    expect(
      (await call(server, 'PUT', '/me/preferences/units', ann.accessToken, { value: 'metric' }))
        .status,
    ).toBe(200);
    expect(
      (
        await call(
          server,
          'PUT',
          `/me/preferences/${encodeURIComponent('home/work city')}`,
          ann.accessToken,
          { value: 'Lisbon' },
        )
      ).status,
    ).toBe(200);
    const listed = (await (await authedGet(server, '/me/preferences', ann.accessToken)).json()) as {
      preferences: Record<string, string>[];
    };
    expect(listed.preferences.map((p) => [p.key, p.value])).toEqual([
      ['answer length', 'long answers'],
      ['home/work city', 'Lisbon'],
      ['units', 'metric'],
    ]);
    expect(listed.preferences.every((p) => ISO.test(p.updated_at!))).toBe(true);
    expect(listPreferences(db(), ann.id).map((p) => [p.key, p.value])).toEqual(
      listed.preferences.map((p) => [p.key, p.value]),
    );

    const deleted = await call(server, 'DELETE', '/me/preferences/Answer_Length', ann.accessToken);
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe('');
    expect(listPreferences(db(), ann.id).map((p) => p.key)).toEqual(['home/work city', 'units']);

    const again = await call(server, 'DELETE', '/me/preferences/answer%20length', ann.accessToken);
    expect(again.status).toBe(404);
    expect(await errorCode(again)).toBe('preference_not_found');
    expect(listPreferences(db(), ann.id)).toHaveLength(2);
  });

  it('refuses invalid keys and values with 400 and writes nothing', async () => {
    const before = snapshotTables(db());
    const cases: [string, unknown][] = [
      ['/me/preferences/units', { value: '' }],
      ['/me/preferences/units', { value: '   ' }],
      ['/me/preferences/units', { value: 'x'.repeat(501) }],
      ['/me/preferences/units', { value: 'metric\u0007' }],
      ['/me/preferences/units', { value: 'metric\n' + 'x' }],
      ['/me/preferences/units', { value: 42 }],
      ['/me/preferences/units', {}],
      ['/me/preferences/units', { value: 'metric', user_id: ann.id }],
      ['/me/preferences/%20_%20', { value: 'metric' }],
      ['/me/preferences/___', { value: 'metric' }],
      [`/me/preferences/${'k'.repeat(65)}`, { value: 'metric' }],
      ['/me/preferences/bad%00key', { value: 'metric' }],
      ['/me/preferences/bad%0Akey', { value: 'metric' }],
      // Bidi overrides, isolates and marks make text read differently from what it is.
      ['/me/preferences/units', { value: 'metric\u202Ecirtem' }],
      ['/me/preferences/units', { value: '\u2066metric\u2069' }],
      ['/me/preferences/units', { value: 'metric\u200F' }],
      [`/me/preferences/${encodeURIComponent('un\u202Eits')}`, { value: 'metric' }],
      [`/me/preferences/${encodeURIComponent('units\u061C')}`, { value: 'metric' }],
    ];
    for (const [path, body] of cases) {
      const response = await call(server, 'PUT', path, ann.accessToken, body);
      expect(response.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(await errorCode(response)).toBe('validation_failed');
    }
    // A percent-escape that does not decode is refused, never stored as a literal key.
    for (const path of [
      '/me/preferences/%FF',
      '/me/preferences/units%ZZ',
      '/me/preferences/%E2%82',
    ]) {
      for (const method of ['PUT', 'DELETE']) {
        const response = await call(server, method, path, ann.accessToken, { value: 'metric' });
        expect(response.status, `${method} ${path}`).toBe(400);
        expect(await errorCode(response)).toBe('invalid_path');
      }
    }
    const notJson = await server.fetch('/me/preferences/units', {
      method: 'PUT',
      headers: { authorization: `Bearer ${ann.accessToken}`, 'content-type': 'text/plain' },
      body: 'metric',
    });
    expect(notJson.status).toBe(415);
    expect(
      (await call(server, 'DELETE', `/me/preferences/${'k'.repeat(65)}`, ann.accessToken)).status,
    ).toBe(400);
    expect(snapshotTables(db())).toEqual(before);
  });

  it('accepts a 500-character value and a 64-character key', async () => {
    const key = 'k'.repeat(64);
    const response = await call(server, 'PUT', `/me/preferences/${key}`, ann.accessToken, {
      value: 'v'.repeat(500),
    });
    expect(response.status).toBe(200);
    expect(listPreferences(db(), ann.id).find((p) => p.key === key)?.value).toHaveLength(500);
    expect((await call(server, 'DELETE', `/me/preferences/${key}`, ann.accessToken)).status).toBe(
      204,
    );
  });

  it('keeps at most 100 keys per user: a new key gets 409 preference_limit, existing keys can still change', async () => {
    const bea = await register(server);
    for (let i = 0; i < 100; i += 1)
      savePreference(db(), { userId: bea.id, key: `key ${i}`, value: 'v', maxPerUser: 1_000 }, 1);
    const full = await call(server, 'PUT', '/me/preferences/one%20more', bea.accessToken, {
      value: 'v',
    });
    expect(full.status).toBe(409);
    expect(await errorCode(full)).toBe('preference_limit');
    expect(listPreferences(db(), bea.id)).toHaveLength(100);
    expect(listPreferences(db(), bea.id).some((p) => p.key === 'one more')).toBe(false);

    expect(
      (await call(server, 'PUT', '/me/preferences/key%2099', bea.accessToken, { value: 'changed' }))
        .status,
    ).toBe(200);
    expect(listPreferences(db(), bea.id).find((p) => p.key === 'key 99')?.value).toBe('changed');
    expect((await call(server, 'DELETE', '/me/preferences/key%200', bea.accessToken)).status).toBe(
      204,
    );
    expect(
      (await call(server, 'PUT', '/me/preferences/one%20more', bea.accessToken, { value: 'v' }))
        .status,
    ).toBe(200);
    expect(listPreferences(db(), bea.id)).toHaveLength(100);
  });

  it('answers 403 guest_no_memory to guests, and writes nothing', async () => {
    const guest = await register(server);
    savePreference(db(), { userId: guest.id, key: 'units', value: 'metric', maxPerUser: 100 }, 1);
    setUserRole(db(), guest.id, 'guest');
    const before = snapshotTables(db());
    for (const [method, path, body] of [
      ['GET', '/me/preferences', undefined],
      ['PUT', '/me/preferences/units', { value: 'imperial' }],
      ['PUT', '/me/preferences/new', { value: 'x' }],
      ['DELETE', '/me/preferences/units', undefined],
    ] as const) {
      const response = await call(server, method, path, guest.accessToken, body);
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(await errorCode(response)).toBe('guest_no_memory');
    }
    expect(snapshotTables(db())).toEqual(before);
  });

  it('needs a signed-in caller', async () => {
    for (const [method, path] of [
      ['GET', '/me/preferences'],
      ['PUT', '/me/preferences/units'],
      ['DELETE', '/me/preferences/units'],
    ] as const) {
      const response = await call(
        server,
        method,
        path,
        undefined,
        method === 'PUT' ? { value: 'x' } : undefined,
      );
      expect(response.status).toBe(401);
      expect(await errorCode(response)).toBe('unauthorized');
    }
  });
});

describe('GET/DELETE /me/history', () => {
  interface HistoryBody {
    history: {
      session_id: string | null;
      started_at: string;
      turns: { role: string; text: string; created_at: string }[];
    }[];
    next_cursor: string | null;
  }
  const history = async (person: Person, query = '') => {
    const response = await authedGet(server, `/me/history${query}`, person.accessToken);
    expect(response.status).toBe(200);
    return (await response.json()) as HistoryBody;
  };

  it('groups turns by session, newest session first, and pages through them', async () => {
    const cy = await register(server);
    const minted = (await (await jsonPost(server, '/auth/token', {}, cy.accessToken)).json()) as {
      session_id: string;
    };
    const t0 = Date.UTC(2026, 0, 1);
    say(server, cy.id, cy.sessionId, 'first question', t0);
    say(server, cy.id, cy.sessionId, 'first answer', t0 + 1_000, 'assistant');
    say(server, cy.id, null, 'a turn without a session', t0 + 5_000);
    say(server, cy.id, minted.session_id, 'second question', t0 + 10_000);
    say(server, cy.id, minted.session_id, 'second answer', t0 + 11_000, 'assistant');

    const all = await history(cy);
    expect(all).toEqual({
      history: [
        {
          session_id: minted.session_id,
          started_at: new Date(t0 + 10_000).toISOString(),
          turns: [
            {
              role: 'user',
              text: 'second question',
              created_at: new Date(t0 + 10_000).toISOString(),
            },
            {
              role: 'assistant',
              text: 'second answer',
              created_at: new Date(t0 + 11_000).toISOString(),
            },
          ],
        },
        {
          session_id: null,
          started_at: new Date(t0 + 5_000).toISOString(),
          turns: [
            {
              role: 'user',
              text: 'a turn without a session',
              created_at: new Date(t0 + 5_000).toISOString(),
            },
          ],
        },
        {
          session_id: cy.sessionId,
          started_at: new Date(t0).toISOString(),
          turns: [
            { role: 'user', text: 'first question', created_at: new Date(t0).toISOString() },
            {
              role: 'assistant',
              text: 'first answer',
              created_at: new Date(t0 + 1_000).toISOString(),
            },
          ],
        },
      ],
      next_cursor: null,
    });

    const page1 = await history(cy, '?limit=2');
    expect(page1.history.map((g) => g.session_id)).toEqual([minted.session_id, null]);
    expect(page1.next_cursor).toEqual(expect.any(String));
    const page2 = await history(cy, `?limit=2&cursor=${page1.next_cursor}`);
    expect(page2.history.map((g) => g.session_id)).toEqual([cy.sessionId]);
    expect(page2.next_cursor).toBeNull();
  });

  it('refuses a bad limit, cursor or unknown query field', async () => {
    const dee = await register(server);
    for (const query of [
      '?limit=0',
      '?limit=101',
      '?limit=abc',
      '?user_id=x',
      `?cursor=${'x'.repeat(513)}`,
    ]) {
      const response = await authedGet(server, `/me/history${query}`, dee.accessToken);
      expect(response.status, query).toBe(400);
      expect(await errorCode(response)).toBe('validation_failed');
    }
    const badCursor = await authedGet(server, '/me/history?cursor=not-a-cursor', dee.accessToken);
    expect(badCursor.status).toBe(400);
    expect(await errorCode(badCursor)).toBe('cursor_invalid');
    expect((await authedGet(server, '/me/history?limit=100', dee.accessToken)).status).toBe(200);
    expect((await server.fetch('/me/history')).status).toBe(401);
  });

  it('DELETE removes every turn of the caller and keeps their preferences', async () => {
    const eve = await register(server);
    say(server, eve.id, eve.sessionId, 'hello', 1_000);
    say(server, eve.id, null, 'loose', 2_000);
    savePreference(db(), { userId: eve.id, key: 'units', value: 'metric', maxPerUser: 100 }, 1);
    expect(turnsOf(eve.id)).toHaveLength(2);

    const response = await call(server, 'DELETE', '/me/history', eve.accessToken);
    expect(response.status).toBe(204);
    expect(turnsOf(eve.id)).toEqual([]);
    expect(listPreferences(db(), eve.id)).toHaveLength(1);
    expect(await history(eve)).toEqual({ history: [], next_cursor: null });
    expect((await call(server, 'DELETE', '/me/history', eve.accessToken)).status).toBe(204);
    expect((await call(server, 'DELETE', '/me/history')).status).toBe(401);
  });
});

describe('GET/DELETE /me/devices', () => {
  interface Device {
    id: string;
    created_at: string;
    last_used_at: string;
    user_agent: string | null;
    ip: string | null;
    current: boolean;
  }
  const devices = async (accessToken: string) => {
    const response = await authedGet(server, '/me/devices', accessToken);
    expect(response.status).toBe(200);
    return ((await response.json()) as { devices: Device[] }).devices;
  };

  it('lists live devices, marks the current one, and signs one out', async () => {
    const fay = await register(server);
    const second = await signInAgain(server, fay, 'fay phone');
    // A family that expired is no device any more.
    insertRefreshTokenFamily(
      db(),
      {
        userId: fay.id,
        tokenHash: `expired-${fay.id}`,
        expiresAt: Date.now() - 1,
        userAgent: 'old',
      },
      1,
    );

    const listed = await devices(fay.accessToken);
    expect(listed).toHaveLength(2);
    const mine = listed.find((d) => d.current)!;
    const phone = listed.find((d) => !d.current)!;
    expect(phone).toMatchObject({ user_agent: 'fay phone', current: false });
    expect(phone.ip).toMatch(/127\.0\.0\.1$/);
    expect(phone.created_at).toMatch(ISO);
    expect(phone.last_used_at).toBe(phone.created_at);
    const families = new Set(tokensOf(fay.id).map((t) => t.familyId));
    expect(families.has(mine.id) && families.has(phone.id)).toBe(true);
    expect((await devices(second.accessToken)).find((d) => d.current)?.id).toBe(phone.id);

    // A refresh rotates the phone's token: same device, used later.
    const rotated = await refresh(server, second.refreshToken);
    expect(rotated.status).toBe(200);
    const phoneRefreshToken = ((await rotated.json()) as { refresh_token: string }).refresh_token;
    const afterRefresh = (await devices(fay.accessToken)).find((d) => d.id === phone.id)!;
    expect(afterRefresh.created_at).toBe(phone.created_at);
    expect(Date.parse(afterRefresh.last_used_at)).toBeGreaterThanOrEqual(
      Date.parse(phone.created_at),
    );
    expect(await devices(fay.accessToken)).toHaveLength(2);

    const signOut = await call(server, 'DELETE', `/me/devices/${phone.id}`, fay.accessToken);
    expect(signOut.status).toBe(204);
    expect(
      tokensOf(fay.id)
        .filter((t) => t.familyId === phone.id)
        .every((t) => t.revokedAt !== null),
    ).toBe(true);
    expect((await refresh(server, phoneRefreshToken)).status).toBe(401);
    expect((await authedGet(server, '/auth/me', second.accessToken)).status).toBe(401);
    expect((await devices(fay.accessToken)).map((d) => d.id)).toEqual([mine.id]);
    expect(auditOf('device_signed_out').filter((e) => e.actorId === fay.id)).toEqual([
      expect.objectContaining({ target: fay.id, detail: JSON.stringify({ device_id: phone.id }) }),
    ]);

    const again = await call(server, 'DELETE', `/me/devices/${phone.id}`, fay.accessToken);
    expect(again.status).toBe(404);
    expect(await errorCode(again)).toBe('device_not_found');
    const unknown = await call(server, 'DELETE', '/me/devices/no-such-device', fay.accessToken);
    expect(unknown.status).toBe(404);
    expect(await errorCode(unknown)).toBe('device_not_found');
    expect(
      (await call(server, 'DELETE', `/me/devices/${'x'.repeat(65)}`, fay.accessToken)).status,
    ).toBe(400);
    expect(auditOf('device_signed_out').filter((e) => e.actorId === fay.id)).toHaveLength(1);
  });

  it('signing out the current device ends this session too', async () => {
    const gus = await register(server);
    const [current] = await devices(gus.accessToken);
    expect(
      (await call(server, 'DELETE', `/me/devices/${current!.id}`, gus.accessToken)).status,
    ).toBe(204);
    expect((await authedGet(server, '/me/devices', gus.accessToken)).status).toBe(401);
    expect((await refresh(server, gus.refreshToken)).status).toBe(401);
  });

  it('needs a signed-in caller', async () => {
    expect((await server.fetch('/me/devices')).status).toBe(401);
    expect((await call(server, 'DELETE', '/me/devices/x')).status).toBe(401);
  });
});

describe('OpenAPI', () => {
  it('documents every /me route with the me tag and bearer auth', () => {
    const deps = {
      database: { db: {} },
      config: { rateLimit: null, bodyLimitBytes: 1024 },
    } as unknown as AppDeps;
    const router = createMeRouter(deps, createRouteGuard(deps));
    const doc = router.getOpenAPI31Document({
      openapi: '3.1.0',
      info: { title: 'Attune', version: '1' },
    });
    const expected: [string, string][] = [
      ['/me/sessions', 'get'],
      ['/me/preferences', 'get'],
      ['/me/preferences/{key}', 'put'],
      ['/me/preferences/{key}', 'delete'],
      ['/me/history', 'get'],
      ['/me/history', 'delete'],
      ['/me/export', 'get'],
      ['/me', 'delete'],
      ['/me/password', 'post'],
      ['/me/devices', 'get'],
      ['/me/devices/{id}', 'delete'],
    ];
    for (const [path, method] of expected) {
      const operation = (
        doc.paths?.[path] as Record<string, { tags?: string[]; security?: unknown[] }> | undefined
      )?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      expect(operation?.tags).toEqual(['me']);
      expect(operation?.security).toEqual([{ bearerAuth: [] }]);
    }
  });
});
