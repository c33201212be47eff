import { Writable } from 'node:stream';
import { z } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppDeps } from '../deps.ts';
import { createLogger } from '../logger.ts';
import { type TestServer, startTestServer } from '../testing/test-server.ts';
import { defineRoute } from './define-route.ts';
import { ERROR_CATALOG, apiError } from './error-catalog.ts';
import { createErrorHandler } from './error-handler.ts';
import { jsonContent } from './error-responses.ts';
import { createRouteGuard } from './route-guard.ts';
import { createRouter } from './router.ts';

type Operation = { responses: Record<string, { description?: string; headers?: object }> };

describe('the OpenAPI document', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ METRICS_TOKEN: 'a-metrics-token-of-enough-length' });
  });
  afterAll(async () => {
    await server.close();
  });

  it('lists, for every operation, each code its policy declares under that code’s status', async () => {
    const document = (await (await server.fetch('/openapi.json')).json()) as {
      paths: Record<string, Record<string, Operation>>;
    };
    const missing: string[] = [];
    let checked = 0;
    for (const route of server.routes) {
      // The document and its viewer are not API operations.
      if (!route.declaration || route.path.startsWith('/docs') || route.path === '/openapi.json')
        continue;
      const path = route.path.replace(/:(\w+)/g, '{$1}');
      const operation = document.paths[path]?.[route.method.toLowerCase()];
      if (!operation) {
        missing.push(`${route.method} ${route.path}: not documented`);
        continue;
      }
      for (const code of route.declaration.codes) {
        checked += 1;
        const status = String(ERROR_CATALOG[code].status);
        if (!operation.responses[status]?.description?.includes(`\`${code}\``))
          missing.push(`${route.method} ${route.path}: ${status} ${code}`);
      }
      if (route.declaration.policy.rateLimit !== 'none')
        expect(operation.responses['429']?.headers, route.path).toHaveProperty('Retry-After');
    }
    expect(missing).toEqual([]);
    expect(checked).toBeGreaterThan(100);
  });

  it('documents session_limit on POST /auth/token', async () => {
    const document = (await (await server.fetch('/openapi.json')).json()) as {
      paths: Record<string, Record<string, Operation>>;
    };
    expect(document.paths['/auth/token']!.post!.responses['409']!.description).toContain(
      '`session_limit`',
    );
  });
});

describe('undeclared error codes', () => {
  const logs: string[] = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    }),
  );
  const deps = { config: { rateLimit: null, bodyLimitBytes: 1024 } } as unknown as AppDeps;
  const route = defineRoute({
    method: 'get',
    path: '/thing',
    responses: { 200: jsonContent(z.object({}), 'A thing') },
    policy: { auth: 'public', rateLimit: 'none', errors: ['not_ready'] },
  });
  const appThrowing = (code: 'not_ready' | 'email_taken', strict: boolean) => {
    const app = createRouter();
    app.openapi(createRouteGuard(deps).route(route), () => {
      throw apiError(code);
    });
    app.onError(createErrorHandler(logger, { strictErrorDeclarations: strict }));
    return app;
  };

  it('passes a declared code through as it is', async () => {
    const response = await appThrowing('not_ready', true).request('/thing');
    expect(response.status).toBe(503);
  });

  it('logs an undeclared one as an error, and answers 500 for it when strict', async () => {
    logs.length = 0;
    const lenient = await appThrowing('email_taken', false).request('/thing');
    expect(lenient.status).toBe(409);
    expect(logs.join('')).toContain('does not declare');

    const strict = await appThrowing('email_taken', true).request('/thing');
    expect(strict.status).toBe(500);
    expect(((await strict.json()) as { error: { message: string } }).error.message).toContain(
      'email_taken',
    );
  });
});
