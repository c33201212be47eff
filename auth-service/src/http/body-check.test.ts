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

/** Request head only: the body it announces is never sent. */
function head(method: string, path: string, length: number): string {
  return [
    `${method} ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Content-Type: application/json',
    `Content-Length: ${length}`,
    'Connection: close',
    '',
    '',
  ].join('\r\n');
}

describe('the body check', () => {
  it('refuses a declared length over the limit before any of the body arrives', async () => {
    const response = await rawHttpRequest(
      server.baseUrl,
      head('POST', '/auth/login', server.config.bodyLimitBytes + 1),
    );
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('leaves GET alone, whatever length it declares', async () => {
    const response = await rawHttpRequest(
      server.baseUrl,
      head('GET', '/health', server.config.bodyLimitBytes + 1),
    );
    expect(response.status).toBe(200);
  });
});
