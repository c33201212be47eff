import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from './app-env.ts';
import type { AppDeps } from './deps.ts';
import { ApiError } from './http/api-error.ts';
import { clientIpMiddleware, createProxyTrust } from './http/client-ip.ts';
import { createErrorHandler, createNotFoundHandler } from './http/error-handler.ts';
import { rateLimit } from './http/rate-limit.ts';
import { requestLogger } from './http/request-logger.ts';
import { requireJsonBody } from './http/require-json.ts';
import { createRouteTable } from './http/route-table.ts';
import { registerOpsRoutes } from './ops/ops.index.ts';
import { createAdminRouter } from './routes/admin/admin.index.ts';
import { createAnalyticsRouter } from './routes/analytics/analytics.index.ts';
import { createAuthRouter } from './routes/auth/auth.index.ts';
import { createGuestRouter } from './routes/guest/guest.index.ts';
import { createHealthRouter } from './routes/health/health.index.ts';
import { createLiveKitRouter } from './routes/livekit/livekit.index.ts';
import { createMeRouter } from './routes/me/me.index.ts';
import { createTokenRouter } from './routes/token/token.index.ts';
import { webClient } from './web/web-client.ts';

/** The whole HTTP API, built from its dependencies; the server entry and every test use this. */
export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  const { metrics } = deps;

  app.use(requestId());
  app.use(metrics.middleware);
  // The one place the client IP is decided (X-Forwarded-For only from TRUSTED_PROXIES).
  app.use(clientIpMiddleware(createProxyTrust(deps.config.trustedProxies)));
  app.use(requestLogger(deps.logger));
  app.use(secureHeaders());
  if (deps.config.corsOrigins.length > 0) {
    app.use(
      cors({
        origin: deps.config.corsOrigins,
        allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
        allowHeaders: ['Authorization', 'Content-Type'],
        exposeHeaders: [
          'X-Request-Id',
          'Retry-After',
          'RateLimit-Limit',
          'RateLimit-Remaining',
          'RateLimit-Reset',
          'RateLimit-Policy',
        ],
        maxAge: 600,
      }),
    );
  }
  const routes = createRouteTable(() => app.routes);
  // The browser client's page and files: before the rate limiter, which counts API calls only.
  app.use(
    webClient({ dir: deps.config.webClientDir, livekitUrl: deps.config.livekit.publicUrl, routes }),
  );
  // After CORS, so preflights are not counted; per-user limits run inside requireUser.
  if (deps.config.rateLimit) app.use(rateLimit(deps.config.rateLimit, deps.now));
  const limitBody = bodyLimit({
    maxSize: deps.config.bodyLimitBytes,
    onError: () => {
      throw new ApiError(
        413,
        'payload_too_large',
        `The request body is larger than ${deps.config.bodyLimitBytes} bytes`,
      );
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
  app.route('/', createGuestRouter(deps));
  app.route('/', createTokenRouter(deps));
  app.route('/', createLiveKitRouter(deps));
  app.route('/', createMeRouter(deps));
  app.route('/', createAnalyticsRouter(deps));
  app.route('/', createAdminRouter(deps));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  registerOpsRoutes(app, deps, metrics);
  app.onError(createErrorHandler(deps.logger));
  app.notFound(createNotFoundHandler(routes));
  return app;
}
