import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env.ts';
import type { AppDeps } from '../deps.ts';
import { declarePlainRoute } from '../http/define-route.ts';
import { apiError } from '../http/error-catalog.ts';
import type { RouteGuard } from '../http/route-guard.ts';
import type { Metrics } from './metrics.ts';

const SWAGGER_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
/** Swagger UI's files, read from disk once per process on first use (about 1.5 MB). */
const assets = new Map<string, Uint8Array<ArrayBuffer>>();
function asset(name: string): Uint8Array<ArrayBuffer> {
  let file = assets.get(name);
  if (!file) {
    file = new Uint8Array(readFileSync(join(SWAGGER_DIR, name)));
    assets.set(name, file);
  }
  return file;
}

const DOCS_HTML = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Attune API</title><link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="docs"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body></html>`;
const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#docs', deepLinking: true });`;

/** The API's description and its viewer: anyone may read them, counted like any API call. */
const publicDocs = declarePlainRoute(
  { method: 'get' },
  { auth: 'public', rateLimit: 'general', errors: [] },
);
const metricsRoute = declarePlainRoute(
  { method: 'get' },
  { auth: 'metrics', rateLimit: 'general', errors: ['metrics_disabled'] },
);

function sameSecret(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Operations: `/openapi.json` (OpenAPI 3.1, generated from the zod schemas that validate the
 * requests), `/docs` (Swagger UI served from this server, no CDN), and `/metrics` (Prometheus text,
 * only when METRICS_TOKEN is set, and only with that bearer token).
 */
export function registerOpsRoutes(
  app: OpenAPIHono<AppEnv>,
  deps: Pick<AppDeps, 'config'>,
  metrics: Metrics,
  guard: RouteGuard,
): void {
  const docs = guard.middleware(publicDocs);
  // Built on the first request, when every route is registered, then served from memory.
  let document: ReturnType<typeof app.getOpenAPI31Document> | undefined;
  app.get('/openapi.json', docs, (c) => {
    document ??= app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'Attune API',
        version: '1.0.0',
        description:
          'Accounts, LiveKit tokens, session durations, memory and administration of an Attune voice-assistant deployment.',
      },
    });
    return c.json(document);
  });

  app.get('/docs', docs, (c) => c.html(DOCS_HTML));
  app.get('/docs/swagger-ui.css', docs, (c) =>
    c.body(asset('swagger-ui.css'), 200, {
      'content-type': 'text/css; charset=utf-8',
      'cache-control': 'public, max-age=86400',
    }),
  );
  app.get('/docs/swagger-ui-bundle.js', docs, (c) =>
    c.body(asset('swagger-ui-bundle.js'), 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=86400',
    }),
  );
  app.get('/docs/init.js', docs, (c) =>
    c.body(DOCS_INIT, 200, { 'content-type': 'text/javascript; charset=utf-8' }),
  );

  app.get('/metrics', guard.middleware(metricsRoute), async (c) => {
    const token = deps.config.metricsToken;
    if (token === null) throw apiError('metrics_disabled');
    const presented = /^Bearer (.+)$/i.exec(c.req.header('authorization') ?? '')?.[1] ?? '';
    if (!sameSecret(presented, token)) {
      throw apiError(
        'unauthorized',
        'Send the metrics token as Authorization: Bearer <METRICS_TOKEN>',
        {
          headers: { 'WWW-Authenticate': 'Bearer realm="metrics"' },
        },
      );
    }
    return c.body(await metrics.registry.metrics(), 200, {
      'content-type': metrics.registry.contentType,
    });
  });
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/metrics',
    tags: ['ops'],
    summary:
      'Prometheus metrics: requests by route and status, latency, tokens minted, failed logins, active sessions',
    description:
      'Off (404) unless METRICS_TOKEN is set; then it needs `Authorization: Bearer <METRICS_TOKEN>`.',
    responses: {
      200: {
        description: 'Prometheus text exposition format',
        content: { 'text/plain': { schema: { type: 'string' } } },
      },
      ...metricsRoute.responses,
    },
  });
}
