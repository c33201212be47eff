import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import { isDatabaseBusy } from '@attune/db';
import { ApiError } from './api-error.ts';
import type { RouteTable } from './route-table.ts';

function respond(c: Context, error: ApiError): Response {
  if (error.headers)
    for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  return c.json(error.toBody(), error.status);
}

const MALFORMED_JSON = 'Malformed JSON in request body';

/** The client closed the connection before its request body arrived. */
function isClientAbort(err: unknown): boolean {
  return (err as { code?: unknown }).code === 'ECONNRESET';
}

/** Every failure becomes the error shape; unexpected ones are logged and answered without details. */
export function createErrorHandler(logger: Logger): ErrorHandler {
  return (err, c) => {
    if (err instanceof ApiError) return respond(c, err);
    // Hono's own validator throws these; the only one it raises here is malformed JSON.
    if (err instanceof HTTPException && err.status < 500) {
      if (err.message === MALFORMED_JSON)
        return respond(c, new ApiError(400, 'invalid_json', 'The request body is not valid JSON'));
      return respond(c, new ApiError(err.status, 'bad_request', err.message || 'Bad request'));
    }
    if (isClientAbort(err)) {
      logger.warn({ requestId: c.get('requestId') }, 'client aborted the request');
      return respond(
        c,
        new ApiError(400, 'client_aborted', 'The connection closed before the request arrived'),
      );
    }
    if (isDatabaseBusy(err)) {
      logger.warn({ requestId: c.get('requestId') }, 'database busy');
      return respond(
        c,
        new ApiError(503, 'database_busy', 'The database is busy; retry shortly', undefined, {
          'Retry-After': '1',
        }),
      );
    }
    logger.error({ err, requestId: c.get('requestId') }, 'unhandled error');
    return respond(
      c,
      new ApiError(
        500,
        'internal_error',
        'Something went wrong on our side; the request id is in the X-Request-Id header',
      ),
    );
  };
}

/** 404 for unknown paths; 405 with an Allow header when the path exists for other methods. */
export function createNotFoundHandler(routes: RouteTable): NotFoundHandler {
  return (c) => {
    const allowed = routes.allowedMethods(c.req.path);
    if (allowed.length > 0) {
      return respond(
        c,
        new ApiError(
          405,
          'method_not_allowed',
          `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(', ')}`,
          undefined,
          {
            Allow: allowed.join(', '),
          },
        ),
      );
    }
    return respond(c, new ApiError(404, 'not_found', `No route for ${c.req.method} ${c.req.path}`));
  };
}
