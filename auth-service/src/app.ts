import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from './app-env.ts';
import type { AppDeps } from './deps.ts';
import { ApiError } from './http/api-error.ts';
import { createErrorHandler, createNotFoundHandler } from './http/error-handler.ts';
import { requestLogger } from './http/request-logger.ts';
import { requireJsonBody } from './http/require-json.ts';
import { createRouteTable } from './http/route-table.ts';
import { createAnalyticsRouter } from './routes/analytics/analytics.index.ts';
import { createAuthRouter } from './routes/auth/auth.index.ts';
import { createHealthRouter } from './routes/health/health.index.ts';
import { createLiveKitRouter } from './routes/livekit/livekit.index.ts';
import { createMeRouter } from './routes/me/me.index.ts';
import { createTokenRouter } from './routes/token/token.index.ts';

/** The whole HTTP API, built from its dependencies; the server entry and every test use this. */
export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();

  app.use(requestId());
  app.use(requestLogger(deps.logger));
  app.use(secureHeaders());
  if (deps.config.corsOrigins.length > 0) {
    app.use(
      cors({
        origin: deps.config.corsOrigins,
        allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
        allowHeaders: ['Authorization', 'Content-Type'],
        exposeHeaders: ['X-Request-Id', 'Retry-After'],
        maxAge: 600,
      }),
    );
  }
  const routes = createRouteTable(() => app.routes);
  const limitBody = bodyLimit({
    maxSize: deps.config.bodyLimitBytes,
    onError: () => {
      throw new ApiError(413, 'payload_too_large', `The request body is larger than ${deps.config.bodyLimitBytes} bytes`);
    },
  });
  // Bodies are checked only for requests a route answers (one route lookup per request); the
  // rest go straight to the 404/405 answer.
  app.use((c, next) => {
    if (!routes.isRouted(c.req.method, c.req.path)) return next();
    requireJsonBody(c);
    return limitBody(c, next);
  });

  app.route('/', createHealthRouter(deps));
  app.route('/', createAuthRouter(deps));
  app.route('/', createTokenRouter(deps));
  app.route('/', createLiveKitRouter(deps));
  app.route('/', createMeRouter(deps));
  app.route('/', createAnalyticsRouter(deps));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  app.onError(createErrorHandler(deps.logger));
  app.notFound(createNotFoundHandler(routes));
  return app;
}
