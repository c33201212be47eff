import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findUserByEmail } from '@attune/db';
import { rawHttpRequest } from '../testing/raw-http.ts';
import { type TestServer, startTestServer } from '../testing/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

/** A registration whose password holds `passwordBytes`, as raw bytes inside the JSON string. */
function registration(email: string, passwordBytes: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`{"email":"${email}","full_name":"Ann","password":"long enough `),
    passwordBytes,
    Buffer.from('"}'),
  ]);
}

function post(path: string, body: Buffer, framing: 'length' | 'chunked'): Buffer {
  const head = [
    `POST ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Content-Type: application/json',
    'Connection: close',
    framing === 'length' ? `Content-Length: ${body.length}` : 'Transfer-Encoding: chunked',
  ].join('\r\n');
  const payload =
    framing === 'length'
      ? body
      : Buffer.concat([
          Buffer.from(`${body.length.toString(16)}\r\n`),
          body,
          Buffer.from('\r\n0\r\n\r\n'),
        ]);
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`), payload]);
}

describe('a request body that is not UTF-8', () => {
  for (const framing of ['length', 'chunked'] as const) {
    it(`is refused with 400 invalid_utf8, never read as U+FFFD (${framing})`, async () => {
      const email = `bytes-${framing}@example.org`;
      for (const bad of [
        Buffer.from([0xff]),
        Buffer.from([0xc3]),
        Buffer.from([0xed, 0xa0, 0x80]),
      ]) {
        const response = await rawHttpRequest(
          server.baseUrl,
          post('/auth/register', registration(email, bad), framing),
        );
        expect(response.status).toBe(400);
        expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'invalid_utf8' } });
      }
      expect(findUserByEmail(server.database.db, email)).toBeUndefined();
    });
  }

  it('still accepts UTF-8 beyond ASCII, byte for byte', async () => {
    const email = 'utf8@example.org';
    const response = await rawHttpRequest(
      server.baseUrl,
      post('/auth/register', registration(email, Buffer.from('naïve 🔑', 'utf8')), 'length'),
    );
    expect(response.status).toBe(201);
    const login = await server.fetch('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'long enough naïve 🔑' }),
    });
    expect(login.status).toBe(200);
  });
});
