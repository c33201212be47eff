import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawHttpRequest } from '../testing/raw-http.ts';
import { type TestServer, startTestServer } from '../testing/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const listeners = (): [string, string][] => [
  ['public', server.baseUrl],
  ['internal agent API', server.internalUrl],
];

describe('a request Node’s HTTP parser refuses', () => {
  it('gets a 400 in the JSON error shape, on both listeners', async () => {
    for (const [name, url] of listeners()) {
      for (const request of [
        'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nA header without a colon\r\n\r\n',
        'GET /health HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n',
        'POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
      ]) {
        const response = await rawHttpRequest(url, request);
        expect(response.status, `${name}: ${request}`).toBe(400);
        expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
        const body = JSON.parse(response.body) as { error: { code: string; message: string } };
        expect(body.error.code).toBe('bad_request');
        expect(body.error.message).toMatch(/^The request is not valid HTTP\/1\.1/);
      }
    }
  });

  it('answers headers that are too large with 431', async () => {
    for (const [name, url] of listeners()) {
      const response = await rawHttpRequest(
        url,
        `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${'a'.repeat(20_000)}\r\n\r\n`,
      );
      expect(response.status, name).toBe(431);
      expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'headers_too_large' } });
    }
  });
});
