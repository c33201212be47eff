import { validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type TestServer,
  jsonPost,
  registerUser,
  startTestServer,
} from '../testing/test-server.ts';

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ METRICS_TOKEN });
});
afterAll(async () => {
  await server.close();
});

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
}

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const response = await server.fetch('/openapi.json');
    expect(response.status).toBe(200);
    const document = (await response.json()) as OpenApiDocument;
    expect(document.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(document) as never);
    expect(result.valid, JSON.stringify(result)).toBe(true);
  });

  it('declares the 429 of the rate limiter on limited routes only', async () => {
    const document = (await (await server.fetch('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(Object.keys(document.paths['/auth/login']!.post!.responses)).toContain('429');
    expect(Object.keys(document.paths['/admin/users/{id}']!.patch!.responses)).toContain('429');
    expect(Object.keys(document.paths['/health']!.get!.responses)).not.toContain('429');
    expect(Object.keys(document.paths['/livekit/webhook']!.post!.responses)).not.toContain('429');
  });

  it('lists every route the service answers', async () => {
    const document = (await (await server.fetch('/openapi.json')).json()) as OpenApiDocument;
    // The app's own route table (the Swagger UI assets and the document itself are not API routes).
    const routes = server.routes
      .filter(
        (r) => r.method !== 'ALL' && !r.path.startsWith('/docs') && r.path !== '/openapi.json',
      )
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method} ${path}`),
    );
    expect(new Set(routes).size).toBeGreaterThan(25);
    for (const route of new Set(routes)) expect(documented, route).toContain(route);
  });
});

describe('GET /docs', () => {
  it('serves the Swagger UI from this server, pointed at /openapi.json', async () => {
    const page = await server.fetch('/docs');
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('/docs/swagger-ui-bundle.js');
    const bundle = await server.fetch('/docs/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect((await bundle.text()).length).toBeGreaterThan(100_000);
    expect(await (await server.fetch('/docs/init.js')).text()).toContain("url: '/openapi.json'");
  });
});

describe('GET /metrics', () => {
  it('needs the metrics token', async () => {
    expect((await server.fetch('/metrics')).status).toBe(401);
    expect(
      (await server.fetch('/metrics', { headers: { authorization: 'Bearer wrong' } })).status,
    ).toBe(401);
  });

  it('counts requests by route pattern and status, tokens minted, failed logins and active sessions', async () => {
    const user = await registerUser(server);
    await jsonPost(server, '/auth/login', { email: user.email, password: 'wrong password!' });
    await server.fetch(`/admin/users/${user.id}`, { method: 'PATCH' });
    const response = await server.fetch('/metrics', {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(
      /attune_http_requests_total\{method="POST",route="\/auth\/register",status="201"\} [1-9]/,
    );
    expect(text).toMatch(
      /attune_http_requests_total\{method="PATCH",route="\/admin\/users\/:id",status="401"\} 1/,
    );
    expect(text).not.toContain(user.id);
    expect(text).toMatch(
      /attune_http_request_duration_seconds_bucket\{le="0.5",method="POST",route="\/auth\/register"\}/,
    );
    expect(text).toMatch(/attune_livekit_tokens_minted_total [1-9]/);
    expect(text).toMatch(/attune_logins_failed_total [1-9]/);
    expect(text).toMatch(/attune_active_sessions 0/);
  });

  it('is off without METRICS_TOKEN', async () => {
    const plain = await startTestServer();
    try {
      expect((await plain.fetch('/metrics')).status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
