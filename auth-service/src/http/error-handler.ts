import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import { isDatabaseBusy } from '@attune/db';
import { ApiError } from './api-error.ts';
import { apiError } from './error-catalog.ts';
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

/** Answers any route may give without declaring them: the transport's and the server's own. */
const UNDECLARED_ANYWHERE = new Set([
  'bad_request',
  'client_aborted',
  'database_busy',
  'invalid_path',
]);

export interface ErrorHandlerOptions {
  /**
   * A route answering an error code its policy does not declare is always logged as an error;
   * with this on (tests), it is answered 500 too, so every test that reaches it fails.
   */
  strictErrorDeclarations?: boolean;
}

/** Every failure becomes the error shape; unexpected ones are logged and answered without details. */
export function createErrorHandler(
  logger: Logger,
  options: ErrorHandlerOptions = {},
): ErrorHandler {
  const internalError = () => apiError('internal_error');
  return (err, c) => {
    const requestId = c.get('requestId') as string | undefined;
    const error = toApiError(err, logger, requestId);
    if (!error) {
      logger.error({ err, requestId }, 'unhandled error');
      return respond(c, internalError());
    }
    // Set by the matched route's policy: the codes its documentation promises.
    const declared = c.get('routeErrorCodes') as ReadonlySet<string> | undefined;
    if (declared && !declared.has(error.code) && !UNDECLARED_ANYWHERE.has(error.code)) {
      logger.error(
        { requestId, code: error.code, route: `${c.req.method} ${c.req.routePath}` },
        'a route answered an error code its policy does not declare',
      );
      if (options.strictErrorDeclarations)
        return respond(
          c,
          apiError(
            'internal_error',
            `${c.req.method} ${c.req.routePath} answered ${error.status} ${error.code}, which its policy does not declare`,
          ),
        );
    }
    return respond(c, error);
  };
}

/** The error shape for a failure the API knows how to answer; `undefined` for an unexpected one. */
function toApiError(err: Error, logger: Logger, requestId: string | undefined) {
  if (err instanceof ApiError) return err;
  // Hono's own validator throws these; the only one it raises here is malformed JSON.
  if (err instanceof HTTPException && err.status < 500) {
    if (err.message === MALFORMED_JSON) return apiError('invalid_json');
    if (err.status === 415) return apiError('unsupported_media_type');
    // A status the catalog cannot know beforehand, so not `apiError`.
    return new ApiError(err.status, 'bad_request', err.message || 'Bad request');
  }
  if (isClientAbort(err)) {
    logger.warn({ requestId }, 'client aborted the request');
    return apiError('client_aborted');
  }
  if (isDatabaseBusy(err)) {
    logger.warn({ requestId }, 'database busy');
    return apiError('database_busy', undefined, { headers: { 'Retry-After': '1' } });
  }
  return undefined;
}

/** 404 for unknown paths; 405 with an Allow header when the path exists for other methods. */
export function createNotFoundHandler(routes: RouteTable): NotFoundHandler {
  return (c) => {
    const allowed = routes.allowedMethods(c.req.path);
    if (allowed.length > 0) {
      return respond(
        c,
        apiError(
          'method_not_allowed',
          `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(', ')}`,
          { headers: { Allow: allowed.join(', ') } },
        ),
      );
    }
    return respond(c, apiError('not_found', `No route for ${c.req.method} ${c.req.path}`));
  };
}
