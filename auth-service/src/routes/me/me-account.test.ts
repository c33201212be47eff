import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AuditEntry,
  type LoginThrottleRow,
  type RefreshToken,
  findUserById,
  listPreferences,
  loginThrottleKeys,
} from '@attune/db';
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

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const db = () => server.database.db;
const snapshot = () => snapshotTables(db());
/** Failed password checks the login throttle counts for the email from the test client's IP. */
const throttledFailures = (tables: ReturnType<typeof snapshot>, email: string) =>
  (tables.login_throttle as LoginThrottleRow[]).find(
    (row) => row.key === loginThrottleKeys({ email, ipKey: 'ip:127.0.0.1' }).pair,
  )?.failures;
/** Every table but the audit log and the login throttle, which a wrong password writes to. */
const untouched = (tables: ReturnType<typeof snapshot>) => ({
  ...tables,
  audit_log: undefined,
  login_throttle: undefined,
});
const auditEntries = () => snapshot().audit_log as AuditEntry[];
const login = (email: string, password: string) =>
  jsonPost(server, '/auth/login', { email, password });

/** `fullName` of a table's drizzle row key → its SQL column name. */
const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const asStored = (row: unknown) =>
  Object.fromEntries(Object.entries(row as Record<string, unknown>).map(([k, v]) => [snake(k), v]));
const SECRETS = ['password_hash', 'token_hash'];
const withoutSecrets = (row: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(row).filter(([k]) => !SECRETS.includes(k)));
const byJson = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));

/** GET /me/export as these tests read it: the caller's rows, as stored, part by part. */
interface Export {
  format: string;
  time_unit: string;
  exported_at: string;
  user: unknown;
  preferences: unknown[];
  conversation_turns: unknown[];
  sessions: unknown[];
  rooms: unknown[];
  devices: { id: string; tokens: { family_id: string }[] }[];
  audit_log: { action: string }[];
}

/** A user with rows in every table that can hold them: preferences, turns, sessions, rooms, devices, audit entries. */
async function busyUser(): Promise<
  Person & { phone: { accessToken: string; refreshToken: string } }
> {
  const person = await register(server);
  const phone = await signInAgain(server, person, 'phone');
  const minted = (await (await jsonPost(server, '/auth/token', {}, person.accessToken)).json()) as {
    session_id: string;
  };
  say(server, person.id, person.sessionId, `hello from ${person.id}`, 1_000);
  say(server, person.id, minted.session_id, 'a second conversation', 2_000, 'assistant');
  say(server, person.id, null, 'a turn without a session', 3_000);
  for (const [key, value] of [
    ['units', 'metric'],
    ['home city', 'Lisbon'],
  ] as const) {
    expect(
      (
        await call(
          server,
          'PUT',
          `/me/preferences/${encodeURIComponent(key)}`,
          person.accessToken,
          { value },
        )
      ).status,
    ).toBe(200);
  }
  // A rotated token and a signed-out device, so the export has revoked rows and audit entries too.
  const third = await signInAgain(server, person, 'tablet');
  const rotated = (await (await refresh(server, third.refreshToken)).json()) as {
    access_token: string;
  };
  const tabletFamily = (
    (await (await authedGet(server, '/me/devices', rotated.access_token)).json()) as {
      devices: { id: string; current: boolean }[];
    }
  ).devices.find((d) => d.current)!.id;
  expect(
    (await call(server, 'DELETE', `/me/devices/${tabletFamily}`, person.accessToken)).status,
  ).toBe(204);
  return { ...person, phone };
}

describe('GET /me/export', () => {
  it('holds every row stored about the caller, as stored, without secrets, as a download', async () => {
    const ann = await busyUser();
    const bob = await busyUser();
    const response = await authedGet(server, '/me/export', ann.accessToken);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="attune-export-\d{4}-\d{2}-\d{2}\.json"$/,
    );
    expect(response.headers.get('cache-control')).toBe('no-store');
    const text = await response.text();
    const exported = JSON.parse(text) as Export;

    // Compare against the tables read directly: every row that mentions Ann's id or email.
    const mine = rowsMentioning(snapshot(), ann.id, ann.email);
    const stored = (table: string) =>
      (mine[table] ?? []).map(asStored).map(withoutSecrets).sort(byJson);
    expect(exported.user).toEqual(stored('users')[0]);
    expect(stored('users')).toHaveLength(1);
    expect([...exported.preferences].sort(byJson)).toEqual(stored('user_preferences'));
    expect([...exported.conversation_turns].sort(byJson)).toEqual(stored('conversation_turns'));
    expect([...exported.sessions].sort(byJson)).toEqual(stored('user_sessions'));
    expect([...exported.rooms].sort(byJson)).toEqual(stored('rooms'));
    expect(exported.devices.flatMap((d) => d.tokens).sort(byJson)).toEqual(
      stored('refresh_tokens'),
    );
    expect([...exported.audit_log].sort(byJson)).toEqual(stored('audit_log'));
    expect(mine.webhook_events).toEqual([]);
    // The parts are really there (the comparison above is not between two empty lists).
    expect(exported.preferences).toHaveLength(2);
    expect(exported.conversation_turns).toHaveLength(3);
    expect(exported.sessions).toHaveLength(4); // register, two logins, one token
    expect(exported.rooms).toHaveLength(4);
    expect(exported.devices).toHaveLength(3);
    expect(exported.devices.every((d) => d.tokens.every((t) => t.family_id === d.id))).toBe(true);
    expect(exported.audit_log.map((e) => e.action)).toContain('device_signed_out');
    expect(exported).toMatchObject({ format: 'attune-export/1', time_unit: 'unix_epoch_ms' });
    expect(exported.exported_at).toEqual(expect.any(String));

    // No secret, and nothing of Bob's.
    expect(text).not.toContain('password_hash');
    expect(text).not.toContain('token_hash');
    expect(text).not.toContain(findUserById(db(), ann.id)!.passwordHash);
    for (const token of snapshot().refresh_tokens as RefreshToken[])
      expect(text).not.toContain(token.tokenHash);
    expect(text).not.toContain(bob.id);
    expect(text).not.toContain(bob.email);
  });

  it('needs a signed-in caller', async () => {
    expect((await server.fetch('/me/export')).status).toBe(401);
  });
});

describe('DELETE /me', () => {
  it('refuses a missing, malformed or wrong password and deletes nothing', async () => {
    const cy = await busyUser();
    const before = snapshot();
    for (const body of [
      {},
      { password: '' },
      { password: 42 },
      { password: cy.password, user_id: cy.id },
    ]) {
      const response = await call(server, 'DELETE', '/me', cy.accessToken, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(await errorCode(response)).toBe('validation_failed');
    }
    const noBody = await call(server, 'DELETE', '/me', cy.accessToken);
    expect(noBody.status).toBe(400);
    const notJson = await server.fetch('/me', {
      method: 'DELETE',
      headers: { authorization: `Bearer ${cy.accessToken}`, 'content-type': 'text/plain' },
      body: cy.password,
    });
    expect(notJson.status).toBe(415);
    const wrong = await call(server, 'DELETE', '/me', cy.accessToken, {
      password: 'not the password',
    });
    expect(wrong.status).toBe(401);
    expect(await errorCode(wrong)).toBe('invalid_credentials');
    // bcrypt reads 72 bytes only: a longer password that starts with the real one is still wrong.
    const long = await call(server, 'DELETE', '/me', cy.accessToken, {
      password: cy.password + 'x'.repeat(80),
    });
    expect(long.status).toBe(401);
    const anonymous = await call(server, 'DELETE', '/me', undefined, { password: cy.password });
    expect(anonymous.status).toBe(401);
    expect(await errorCode(anonymous)).toBe('unauthorized');
    // Nothing is deleted; the two wrong passwords count toward the login throttle and are audited.
    const after = snapshot();
    expect(untouched(after)).toEqual(untouched(before));
    expect(throttledFailures(after, cy.email)).toBe(2);
    expect(after.audit_log!.length - before.audit_log!.length).toBe(2);
  });

  it('deletes the account and every row that refers to the user, in every table, and nothing else', async () => {
    const dee = await busyUser();
    const eve = await busyUser();
    const admin = await register(server);
    // Entries someone else wrote about Dee must forget her too.
    const eveBefore = rowsMentioning(snapshot(), eve.id, eve.email);
    const adminBefore = rowsMentioning(snapshot(), admin.id, admin.email);
    const deeBefore = rowsMentioning(snapshot(), dee.id, dee.email);
    for (const table of [
      'users',
      'refresh_tokens',
      'rooms',
      'user_sessions',
      'user_preferences',
      'conversation_turns',
      'audit_log',
    ]) {
      expect(deeBefore[table]?.length, `${table} had rows of the user`).toBeGreaterThan(0);
    }
    const auditCount = auditEntries().length;

    const response = await call(server, 'DELETE', '/me', dee.accessToken, {
      password: dee.password,
    });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');

    const after = snapshot();
    for (const [table, rows] of Object.entries(after)) {
      const text = JSON.stringify(rows);
      expect(text.includes(dee.id), `${table} still holds the user id`).toBe(false);
      expect(text.includes(dee.email), `${table} still holds the email`).toBe(false);
    }
    // Audit entries are kept, with the user forgotten, plus one that says an account was deleted.
    expect(auditEntries()).toHaveLength(auditCount + 1);
    expect(auditEntries().at(-1)).toMatchObject({
      action: 'account_deleted',
      actorId: null,
      target: null,
      ip: null,
    });
    // Other users' rows are untouched.
    expect(rowsMentioning(after, eve.id, eve.email)).toEqual(eveBefore);
    expect(rowsMentioning(after, admin.id, admin.email)).toEqual(adminBefore);

    // Nothing of Dee works any more.
    expect((await authedGet(server, '/auth/me', dee.accessToken)).status).toBe(401);
    expect((await authedGet(server, '/auth/me', dee.phone.accessToken)).status).toBe(401);
    expect((await refresh(server, dee.phone.refreshToken)).status).toBe(401);
    expect((await login(dee.email, dee.password)).status).toBe(401);
    expect(
      (await call(server, 'DELETE', '/me', dee.accessToken, { password: dee.password })).status,
    ).toBe(401);
    // The email can be used again.
    expect(
      (
        await jsonPost(server, '/auth/register', {
          email: dee.email,
          password: 'a new password',
          full_name: 'Dee again',
        })
      ).status,
    ).toBe(201);
  });
});

describe('POST /me/password', () => {
  it('refuses a wrong current password or an invalid new one and changes nothing', async () => {
    const fay = await busyUser();
    const before = snapshot();
    const cases: [unknown, number, string][] = [
      [
        { current_password: 'wrong password', new_password: 'a brand new password' },
        401,
        'invalid_credentials',
      ],
      [
        { current_password: fay.password + 'x'.repeat(80), new_password: 'a brand new password' },
        401,
        'invalid_credentials',
      ],
      [{ current_password: fay.password, new_password: 'short' }, 400, 'validation_failed'],
      [{ current_password: fay.password, new_password: 'é'.repeat(37) }, 400, 'validation_failed'], // 74 bytes
      [{ current_password: fay.password }, 400, 'validation_failed'],
      [{ new_password: 'a brand new password' }, 400, 'validation_failed'],
      [
        { current_password: fay.password, new_password: 'a brand new password', user_id: fay.id },
        400,
        'validation_failed',
      ],
    ];
    for (const [body, status, code] of cases) {
      const response = await call(server, 'POST', '/me/password', fay.accessToken, body);
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(await errorCode(response)).toBe(code);
    }
    const anonymous = await call(server, 'POST', '/me/password', undefined, {
      current_password: fay.password,
      new_password: 'a brand new password',
    });
    expect(anonymous.status).toBe(401);
    // Nothing changes (the password hash included) but the login throttle's count and the audit
    // of the two wrong passwords.
    const after = snapshot();
    expect(untouched(after)).toEqual(untouched(before));
    expect(throttledFailures(after, fay.email)).toBe(2);
    expect(after.audit_log!.length - before.audit_log!.length).toBe(2);
    expect((await refresh(server, fay.phone.refreshToken)).status).toBe(200);
  });

  it('stores the new password, signs every other device out and keeps this one', async () => {
    const gus = await busyUser();
    const hal = await busyUser();
    const halBefore = rowsMentioning(snapshot(), hal.id);
    const oldHash = findUserById(db(), gus.id)!.passwordHash;
    const newPassword = 'ünïcode passwörd 72'; // multi-byte, within 72 bytes

    const response = await call(server, 'POST', '/me/password', gus.accessToken, {
      current_password: gus.password,
      new_password: newPassword,
    });
    expect(response.status).toBe(204);
    expect(findUserById(db(), gus.id)!.passwordHash).not.toBe(oldHash);

    // The other devices are signed out: their refresh and access tokens fail.
    expect((await refresh(server, gus.phone.refreshToken)).status).toBe(401);
    expect((await authedGet(server, '/auth/me', gus.phone.accessToken)).status).toBe(401);
    // This device keeps working, before and after its own refresh.
    expect((await authedGet(server, '/auth/me', gus.accessToken)).status).toBe(200);
    const devices = (await (await authedGet(server, '/me/devices', gus.accessToken)).json()) as {
      devices: { current: boolean }[];
    };
    expect(devices.devices).toEqual([expect.objectContaining({ current: true })]);
    const refreshed = await refresh(server, gus.refreshToken);
    expect(refreshed.status).toBe(200);
    const { access_token } = (await refreshed.json()) as { access_token: string };
    expect((await authedGet(server, '/auth/me', access_token)).status).toBe(200);

    // Only the new password signs in.
    expect((await login(gus.email, gus.password)).status).toBe(401);
    expect((await login(gus.email, newPassword)).status).toBe(200);
    expect(auditEntries().filter((e) => e.action === 'password_change')).toEqual([
      expect.objectContaining({ actorId: gus.id, target: gus.id }),
    ]);
    // Preferences and history are untouched; so is everyone else.
    expect(listPreferences(db(), gus.id)).toHaveLength(2);
    expect(rowsMentioning(snapshot(), hal.id)).toEqual(halBefore);

    // The old password no longer works for the next change.
    const stale = await call(server, 'POST', '/me/password', access_token, {
      current_password: gus.password,
      new_password: 'yet another password',
    });
    expect(stale.status).toBe(401);
  });
});
