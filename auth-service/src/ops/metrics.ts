import type { MiddlewareHandler } from 'hono';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AdminStore } from '@attune/db';

/** Routes that answer with a fresh LiveKit token when they succeed. */
const TOKEN_ROUTES = new Set([
  'POST /auth/token',
  'POST /auth/register',
  'POST /auth/login',
  'POST /auth/guest',
]);

export interface Metrics {
  registry: Registry;
  /**
   * Records every request by method, route pattern (never the raw path) and status; the public
   * API and the internal agent API both count into the one registry.
   */
  middleware: MiddlewareHandler;
}

/** Prometheus metrics of one app instance (its own registry, so tests never share counters). */
export function createMetrics(sessions: Pick<AdminStore, 'countLiveSessions'>): Metrics {
  const registry = new Registry();
  const requests = new Counter({
    name: 'attune_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'attune_http_request_duration_seconds',
    help: 'HTTP request latency by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const tokensMinted = new Counter({
    name: 'attune_livekit_tokens_minted_total',
    help: 'LiveKit tokens minted',
    registers: [registry],
  });
  const loginsFailed = new Counter({
    name: 'attune_logins_failed_total',
    help: 'Sign-ins refused (wrong credentials or throttled)',
    registers: [registry],
  });
  new Gauge({
    name: 'attune_active_sessions',
    help: 'Voice sessions joined and not ended',
    registers: [registry],
    async collect() {
      this.set(await sessions.countLiveSessions());
    },
  });

  const middleware: MiddlewareHandler = async (c, next) => {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      // The matched pattern (`/admin/users/:id`), so ids never become label values.
      const route = c.req.routePath && c.req.routePath !== '/*' ? c.req.routePath : 'unmatched';
      const status = c.res.status;
      requests.inc({ method: c.req.method, route, status: String(status) });
      latency.observe(
        { method: c.req.method, route },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
      const key = `${c.req.method} ${route}`;
      if (TOKEN_ROUTES.has(key) && status >= 200 && status < 300) tokensMinted.inc();
      if (key === 'POST /auth/login' && (status === 401 || status === 429)) loginsFailed.inc();
    }
  };
  return { registry, middleware };
}
