import { createRoute, z } from '@hono/zod-openapi';
import type { AppDeps } from '../../deps.ts';
import { ApiError } from '../../http/api-error.ts';
import { errorResponses, jsonContent } from '../../http/error-responses.ts';
import { createRouter } from '../../http/router.ts';

const healthRoute = createRoute({
  method: 'get',
  path: '/health',
  tags: ['ops'],
  summary: 'Liveness: the process answers',
  responses: { 200: jsonContent(z.object({ status: z.literal('ok') }), 'Alive') },
});

const readyRoute = createRoute({
  method: 'get',
  path: '/ready',
  tags: ['ops'],
  summary: 'Readiness: the database answers',
  responses: {
    200: jsonContent(
      z.object({ status: z.literal('ready'), database: z.literal('ok') }),
      'Ready to serve',
    ),
    ...errorResponses(503),
  },
});

export function createHealthRouter(deps: Pick<AppDeps, 'database'>) {
  const router = createRouter();
  router.openapi(healthRoute, (c) => c.json({ status: 'ok' as const }, 200));
  router.openapi(readyRoute, (c) => {
    if (!deps.database.isReachable())
      throw new ApiError(503, 'not_ready', 'The database is not reachable');
    return c.json({ status: 'ready' as const, database: 'ok' as const }, 200);
  });
  return router;
}
