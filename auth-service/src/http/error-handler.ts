import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import { ApiError } from './api-error.ts';

function respond(c: Context, error: ApiError): Response {
  if (error.headers) for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  return c.json(error.toBody(), error.status);
}

const CODES_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
};

/** Every failure becomes the error shape; unexpected ones are logged and answered without details. */
export function createErrorHandler(logger: Logger): ErrorHandler {
  return (err, c) => {
    if (err instanceof ApiError) return respond(c, err);
    if (err instanceof HTTPException && err.status < 500) {
      const message = err.message === 'Malformed JSON in request body' ? 'The request body is not valid JSON' : err.message;
      const code = err.message === 'Malformed JSON in request body' ? 'invalid_json' : (CODES_BY_STATUS[err.status] ?? 'bad_request');
      return respond(c, new ApiError(err.status as 400, code, message || 'Bad request'));
    }
    logger.error({ err, requestId: c.get('requestId') }, 'unhandled error');
    return respond(c, new ApiError(500, 'internal_error', 'Something went wrong on our side; the request id is in the X-Request-Id header'));
  };
}

export const notFoundHandler: NotFoundHandler = (c) =>
  respond(c, new ApiError(404, 'not_found', `No route for ${c.req.method} ${c.req.path}`));
