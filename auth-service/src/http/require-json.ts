import type { MiddlewareHandler } from 'hono';
import { ApiError } from './api-error.ts';
import type { RouteTable } from './route-table.ts';

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * A request to a route that sends a body must send JSON: anything else is refused with 415
 * before parsing. An empty body counts as `{}`, so routes whose fields are all optional accept
 * it. Requests no route answers are left to the 404/405 handler.
 */
export function requireJsonBody(routes: RouteTable): MiddlewareHandler {
  return async (c, next) => {
    if (METHODS_WITH_BODY.has(c.req.method) && routes.isRouted(c.req.method, c.req.path)) checkBody(c);
    await next();
  };
}

function checkBody(c: Parameters<MiddlewareHandler>[0]): void {
  const length = c.req.header('content-length');
  const chunked = c.req.header('transfer-encoding') !== undefined;
  if (length !== undefined && Number(length) === 0 && !chunked) {
    // Hono reads JSON through its body cache (promises, though typed as values); seeding it
    // makes every later c.req.json() see `{}`. Pinned by the empty-body tests.
    (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve('{}');
  } else if (length !== undefined || chunked) {
    const mediaType = (c.req.header('content-type') ?? '').split(';')[0]?.trim() ?? '';
    if (!JSON_MEDIA_TYPE.test(mediaType)) {
      throw new ApiError(415, 'unsupported_media_type', 'Send the request body as JSON with Content-Type: application/json');
    }
  }
}
