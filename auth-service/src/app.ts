import { OpenAPIHono } from '@hono/zod-openapi';
import { cors } from 'hono/cors';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from './app-env.ts';
import type { AppDeps } from './deps.ts';
import { clientIpMiddleware, createProxyTrust } from './http/client-ip.ts';
import { createErrorHandler, createNotFoundHandler } from './http/error-handler.ts';
import { requestLogger } from './http/request-logger.ts';
import { createRouteGuard } from './http/route-guard.ts';
import { createRouteTable } from './http/route-table.ts';
import { refuseMalformedPath } from './http/well-formed-path.ts';
import { registerOpsRoutes } from './ops/ops.index.ts';
import { createAdminAccountsRouter } from './routes/admin/admin-accounts.index.ts';
import { createAdminOperationsRouter } from './routes/admin/admin-operations.index.ts';
import { createAdminRouter } from './routes/admin/admin.index.ts';
import { createAnalyticsRouter } from './routes/analytics/analytics.index.ts';
import { createAuthRouter } from './routes/auth/auth.index.ts';
import { createEmailRouter } from './routes/email/email.index.ts';
import { createGuestRouter } from './routes/guest/guest.index.ts';
import { createHealthRouter } from './routes/health/health.index.ts';
import { createLiveKitRouter } from './routes/livekit/livekit.index.ts';
import { createMeRouter } from './routes/me/me.index.ts';
import { createPasswordRouter } from './routes/password/password.index.ts';
import { createTokenRouter } from './routes/token/token.index.ts';
import { webClient } from './web/web-client.ts';

export interface AppOptions {
  /** Answer 500 when a route answers an error code its policy does not declare (tests). */
  strictErrorDeclarations?: boolean;
}

/** The whole HTTP API, built from its dependencies; the server entry and every test use this. */
export function createApp(deps: AppDeps, options: AppOptions = {}): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  const { metrics } = deps;

  app.use(requestId());
  app.use(metrics.middleware);
  // The one place the client IP is decided (X-Forwarded-For only from TRUSTED_PROXIES).
  app.use(clientIpMiddleware(createProxyTrust(deps.config.trustedProxies)));
  app.use(requestLogger(deps.logger));
  app.use(refuseMalformedPath);
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
  // Each route's policy brings its own rate limit, body checks, authentication and role check
  // (after CORS, so preflights are not counted). A request no route answers is counted per IP
  // in the general class on its way to the 404/405 answer (one route lookup per request).
  const guard = createRouteGuard(deps);
  app.use((c, next) =>
    routes.isRouted(c.req.method, c.req.path) ? next() : guard.unrouted(c, next),
  );

  app.route('/', createHealthRouter(deps, guard));
  app.route('/', createAuthRouter(deps, guard));
  app.route('/', createPasswordRouter(deps, guard));
  app.route('/', createEmailRouter(deps, guard));
  app.route('/', createGuestRouter(deps, guard));
  app.route('/', createTokenRouter(deps, guard));
  app.route('/', createLiveKitRouter(deps, guard));
  app.route('/', createMeRouter(deps, guard));
  app.route('/', createAnalyticsRouter(deps, guard));
  app.route('/', createAdminRouter(deps, guard));
  app.route('/', createAdminAccountsRouter(deps, guard));
  app.route('/', createAdminOperationsRouter(deps, guard));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  registerOpsRoutes(app, deps, metrics, guard);
  app.onError(createErrorHandler(deps.logger, options));
  app.notFound(createNotFoundHandler(routes));
  return app;
}
