import { z } from '@hono/zod-openapi';
import type { AppDeps } from '../../deps.ts';
import { defineRoute } from '../../http/define-route.ts';
import { apiError } from '../../http/error-catalog.ts';
import { jsonContent } from '../../http/error-responses.ts';
import type { RouteGuard } from '../../http/route-guard.ts';
import { createRouter } from '../../http/router.ts';

// Probes are never rate-limited.
const healthRoute = defineRoute({
  method: 'get',
  path: '/health',
  tags: ['ops'],
  summary: 'Liveness: the process answers',
  responses: { 200: jsonContent(z.object({ status: z.literal('ok') }), 'Alive') },
  policy: { auth: 'public', rateLimit: 'none', errors: [] },
});

const readyRoute = defineRoute({
  method: 'get',
  path: '/ready',
  tags: ['ops'],
  summary: 'Readiness: the database answers',
  responses: {
    200: jsonContent(
      z.object({ status: z.literal('ready'), database: z.literal('ok') }),
      'Ready to serve',
    ),
  },
  policy: { auth: 'public', rateLimit: 'none', errors: ['not_ready'] },
});

export function createHealthRouter(deps: Pick<AppDeps, 'store'>, guard: RouteGuard) {
  const router = createRouter();
  router.openapi(guard.route(healthRoute), (c) => c.json({ status: 'ok' as const }, 200));
  router.openapi(guard.route(readyRoute), async (c) => {
    if (!(await deps.store.isReachable())) throw apiError('not_ready');
    return c.json({ status: 'ready' as const, database: 'ok' as const }, 200);
  });
  return router;
}
