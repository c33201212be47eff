import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';

/**
 * One structured line per request: id, method, path (never the query string or headers, which
 * may carry tokens), status and duration.
 */
export function requestLogger(logger: Logger): MiddlewareHandler {
  return async (c, next) => {
    const startedAt = performance.now();
    await next();
    const status = c.res.status;
    const line = {
      requestId: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      status,
      durationMs: Math.round((performance.now() - startedAt) * 10) / 10,
    };
    if (status >= 500) logger.error(line, 'request');
    else logger.info(line, 'request');
  };
}
