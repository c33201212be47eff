import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotTables } from '@attune/db/testing';
import {
  type RegisteredUser,
  type TestServer,
  registerUser,
  startTestServer,
} from '../testing/test-server.ts';

let server: TestServer;
let user: RegisteredUser;

beforeAll(async () => {
  server = await startTestServer({ BODY_LIMIT_BYTES: '4096' });
  user = await registerUser(server, { email: 'existing@example.org' });
});
afterAll(async () => {
  await server.close();
});

interface BadRequest {
  name: string;
  body?: string;
  contentType?: string | null;
  status: number;
  code: string;
  chunked?: boolean;
  /** Sent as bytes: fetch adds `text/plain` to string bodies, but no content type to bytes. */
  asBytes?: boolean;
}

const json = (value: unknown) => JSON.stringify(value);
const oversized = json({ email: 'a@b.org', password: 'x'.repeat(5000), full_name: 'x' });

const commonCases: BadRequest[] = [
  { name: 'malformed JSON', body: '{"email": "a@b.org", ', status: 400, code: 'invalid_json' },
  { name: 'JSON that is not an object', body: '[1,2,3]', status: 400, code: 'validation_failed' },
  { name: 'JSON null', body: 'null', status: 400, code: 'validation_failed' },
  { name: 'extra field', body: json({ unexpected: true }), status: 400, code: 'validation_failed' },
  {
    name: 'wrong content type',
    body: '{}',
    contentType: 'text/plain',
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'form encoding',
    body: 'email=a%40b.org',
    contentType: 'application/x-www-form-urlencoded',
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'no content type',
    body: '{}',
    contentType: null,
    asBytes: true,
    status: 415,
    code: 'unsupported_media_type',
  },
  { name: 'oversized body', body: oversized, status: 413, code: 'payload_too_large' },
  {
    name: 'oversized chunked body',
    body: oversized,
    chunked: true,
    status: 413,
    code: 'payload_too_large',
  },
];

const routeCases: Record<string, { bearer: boolean; cases: BadRequest[] }> = {
  '/auth/register': {
    bearer: false,
    cases: [
      {
        name: 'missing fields',
        body: json({ email: 'new@example.org' }),
        status: 400,
        code: 'validation_failed',
      },
      {
        name: 'wrong types',
        body: json({ email: 42, password: true, full_name: ['x'] }),
        status: 400,
        code: 'validation_failed',
      },
      {
        name: 'invalid email',
        body: json({ email: 'not-an-email', password: 'long enough', full_name: 'X' }),
        status: 400,
        code: 'validation_failed',
      },
      {
        name: 'blank name',
        body: json({ email: 'n@example.org', password: 'long enough', full_name: '   ' }),
        status: 400,
        code: 'validation_failed',
      },
      {
        name: 'extra role field',
        body: json({
          email: 'n@example.org',
          password: 'long enough',
          full_name: 'X',
          role: 'admin',
        }),
        status: 400,
        code: 'validation_failed',
      },
      {
        name: 'email already used',
        body: json({ email: 'EXISTING@example.org', password: 'long enough', full_name: 'X' }),
        status: 409,
        code: 'email_taken',
      },
      {
        name: 'control characters in the name',
        body: json({
          email: 'n@example.org',
          password: 'long enough',
          full_name: 'Eve\u0000\nAdmin',
        }),
        status: 400,
        code: 'validation_failed',
      },
      {
        name: 'a bidi override in the name',
        body: json({
          email: 'n@example.org',
          password: 'long enough',
          full_name: 'Eve\u202Enimda',
        }),
        status: 400,
        code: 'validation_failed',
      },
      {
        name: 'a bidi isolate in the name',
        body: json({ email: 'n@example.org', password: 'long enough', full_name: '\u2067Eve' }),
        status: 400,
        code: 'validation_failed',
      },
      {
        name: 'broken Unicode in the name',
        body: '{"email":"n@example.org","password":"long enough","full_name":"\\ud800"}',
        status: 400,
        code: 'validation_failed',
      },
      {
        name: 'broken Unicode in the password',
        body: '{"email":"n@example.org","password":"long enough\\udfff","full_name":"N"}',
        status: 400,
        code: 'validation_failed',
      },
      { name: 'an empty body', body: '', status: 400, code: 'validation_failed' },
    ],
  },
  '/auth/login': {
    bearer: false,
    cases: [
      {
        name: 'missing password',
        body: json({ email: 'existing@example.org' }),
        status: 400,
        code: 'validation_failed',
      },
      {
        name: 'wrong types',
        body: json({ email: ['existing@example.org'], password: 12345678 }),
        status: 400,
        code: 'validation_failed',
      },
      {
        name: 'empty password',
        body: json({ email: 'existing@example.org', password: '' }),
        status: 400,
        code: 'validation_failed',
      },
    ],
  },
  '/auth/refresh': {
    bearer: false,
    cases: [
      // Without the browser's X-Refresh-Cookie header there is no other place to find it.
      { name: 'missing token', body: json({}), status: 400, code: 'refresh_token_missing' },
      {
        name: 'wrong type',
        body: json({ refresh_token: 12 }),
        status: 400,
        code: 'validation_failed',
      },
      {
        name: 'absurdly long token',
        body: json({ refresh_token: 'x'.repeat(300) }),
        status: 400,
        code: 'validation_failed',
      },
    ],
  },
  '/auth/token': {
    bearer: true,
    cases: [
      {
        name: 'wrong types',
        body: json({ room_name: 7, participant_name: false }),
        status: 400,
        code: 'validation_failed',
      },
      {
        name: 'invalid room name',
        body: json({ room_name: 'no spaces allowed' }),
        status: 400,
        code: 'validation_failed',
      },
      {
        name: 'identity of another user',
        body: json({ participant_identity: 'someone-else' }),
        status: 403,
        code: 'identity_forbidden',
      },
      {
        name: 'metadata of its own',
        body: json({ participant_metadata: '{}' }),
        status: 400,
        code: 'validation_failed',
      },
      {
        name: 'control characters in the name',
        body: json({ participant_name: 'a\u001b[31mred' }),
        status: 400,
        code: 'validation_failed',
      },
    ],
  },
  '/auth/logout': {
    bearer: true,
    cases: [
      {
        name: 'fields it does not take',
        body: json({ all_devices: true }),
        status: 400,
        code: 'validation_failed',
      },
      {
        name: 'everywhere not a boolean',
        body: json({ everywhere: 'yes' }),
        status: 400,
        code: 'validation_failed',
      },
    ],
  },
};

async function send(path: string, bearer: boolean, testCase: BadRequest): Promise<Response> {
  const headers: Record<string, string> = {};
  if (testCase.contentType !== null)
    headers['content-type'] = testCase.contentType ?? 'application/json';
  if (bearer) headers.authorization = `Bearer ${user.accessToken}`;
  if (testCase.chunked) {
    const bytes = new TextEncoder().encode(String(testCase.body));
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 1024) controller.enqueue(bytes.slice(i, i + 1024));
        controller.close();
      },
    });
    return server.fetch(path, {
      method: 'POST',
      headers,
      body: stream,
      duplex: 'half',
    });
  }
  const body = testCase.asBytes
    ? new TextEncoder().encode(testCase.body ?? '')
    : (testCase.body ?? null);
  return server.fetch(path, { method: 'POST', headers, body });
}

describe('bad input on every route', () => {
  for (const [path, { bearer, cases }] of Object.entries(routeCases)) {
    for (const testCase of [...commonCases, ...cases]) {
      it(`POST ${path}: ${testCase.name} → ${testCase.status} ${testCase.code}, nothing stored`, async () => {
        const before = snapshotTables(server.database.db);
        const response = await send(path, bearer, testCase);
        expect(response.status).toBe(testCase.status);
        expect(response.headers.get('content-type')).toMatch(/^application\/json/);
        const body = (await response.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe(testCase.code);
        expect(body.error.message.length).toBeGreaterThan(0);
        expect(JSON.stringify(body)).not.toMatch(/at .+\.ts:\d+|node_modules|Error:/);
        expect(snapshotTables(server.database.db)).toEqual(before);
      });
    }
  }

  const badBearers: [string, Record<string, string>][] = [
    ['no Authorization header', {}],
    ['a Basic credential', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['Bearer with no token', { authorization: 'Bearer ' }],
    ['Bearer with garbage', { authorization: 'Bearer not.a.jwt!' }],
    ['a refresh token used as a bearer', { authorization: 'Bearer REFRESH' }],
  ];
  for (const path of ['/auth/me', '/auth/logout', '/auth/token']) {
    for (const [name, headers] of badBearers) {
      it(`${path}: ${name} → 401`, async () => {
        const before = snapshotTables(server.database.db);
        const auth = headers.authorization?.replace('REFRESH', user.refreshToken);
        const response = await server.fetch(path, {
          method: path === '/auth/me' ? 'GET' : 'POST',
          headers: auth ? { authorization: auth } : {},
        });
        expect(response.status).toBe(401);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
          'unauthorized',
        );
        expect(snapshotTables(server.database.db)).toEqual(before);
      });
    }
  }

  it('answers unknown routes with 404 and wrong methods with 405 and Allow', async () => {
    const missing = await server.fetch('/nope');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const wrongMethod = await server.fetch('/auth/login');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect(((await wrongMethod.json()) as { error: { code: string } }).error.code).toBe(
      'method_not_allowed',
    );
    const deleteMe = await server.fetch('/auth/me', {
      method: 'DELETE',
      headers: { authorization: `Bearer ${user.accessToken}` },
    });
    expect(deleteMe.status).toBe(405);
    expect(deleteMe.headers.get('allow')).toBe('GET, PATCH, HEAD');
    // without credentials too, and whatever the body: the method is wrong before anything else
    const putToken = await server.fetch('/auth/token', { method: 'PUT' });
    expect(putToken.status).toBe(405);
    expect(putToken.headers.get('allow')).toBe('POST');
    const postHealth = await server.fetch('/health', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(postHealth.status).toBe(405);
    const postNowhere = await server.fetch('/nope', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x'.repeat(10_000),
    });
    expect(postNowhere.status).toBe(404);
  });

  it('still serves the existing user after all of it', async () => {
    const me = await server.fetch('/auth/me', {
      headers: { authorization: `Bearer ${user.accessToken}` },
    });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { email: string }).email).toBe('existing@example.org');
  });
});
