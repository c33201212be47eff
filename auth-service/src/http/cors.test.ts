import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, registerUser, startTestServer } from '../testing/test-server.ts';

let server: TestServer;
let closed: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    CORS_ORIGINS: 'https://frontend.example.org, http://localhost:5173',
  });
  closed = await startTestServer();
});
afterAll(async () => {
  await server.close();
  await closed.close();
});

const preflight = (target: TestServer, origin: string) =>
  target.fetch('/auth/token', {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type',
    },
  });

describe('CORS', () => {
  it('lets a configured frontend origin call the token endpoint', async () => {
    const response = await preflight(server, 'https://frontend.example.org');
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(
      'https://frontend.example.org',
    );
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain(
      'authorization',
    );

    const user = await registerUser(server);
    const minted = await server.fetch('/auth/token', {
      method: 'POST',
      headers: { origin: 'http://localhost:5173', authorization: `Bearer ${user.accessToken}` },
    });
    expect(minted.status).toBe(201);
    expect(minted.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  });

  it('gives other origins no CORS grant', async () => {
    const response = await preflight(server, 'https://evil.example.com');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('is off unless CORS_ORIGINS is set', async () => {
    const response = await preflight(closed, 'https://frontend.example.org');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});
