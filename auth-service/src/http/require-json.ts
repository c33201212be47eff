import type { MiddlewareHandler } from 'hono';
import { ApiError } from './api-error.ts';

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function hasBody(headers: Headers): boolean {
  const length = headers.get('content-length');
  return (length !== null && length !== '0') || headers.has('transfer-encoding');
}

/** A request that sends a body must send JSON: anything else is refused with 415 before parsing. */
export const requireJsonBody: MiddlewareHandler = async (c, next) => {
  if (METHODS_WITH_BODY.has(c.req.method) && hasBody(c.req.raw.headers)) {
    const mediaType = (c.req.header('content-type') ?? '').split(';')[0]?.trim() ?? '';
    if (!JSON_MEDIA_TYPE.test(mediaType)) {
      throw new ApiError(415, 'unsupported_media_type', 'Send the request body as JSON with Content-Type: application/json');
    }
  }
  await next();
};
