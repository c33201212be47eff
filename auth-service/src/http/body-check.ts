import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requireJsonBody } from './require-json.ts';
import { decodeUtf8Body } from './utf8-body.ts';

/**
 * The checks every request body passes before a route sees it: JSON media type (415), at most
 * `maxBytes` (413 through `tooLarge`), strict UTF-8 (400). The body is read once here; routes
 * then read the decoded text from Hono's body cache.
 */
export function createBodyCheck(options: {
  maxBytes: number;
  tooLarge: () => never;
}): MiddlewareHandler {
  const limitStreamedBody = bodyLimit({ maxSize: options.maxBytes, onError: options.tooLarge });
  return async (c, next) => {
    // GET and HEAD carry no body, whatever their headers say (as hono's bodyLimit treats them).
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    requireJsonBody(c);
    if (c.req.header('transfer-encoding') !== undefined) {
      // No length up front: hono's bodyLimit counts the bytes as they stream in.
      return limitStreamedBody(c, () => decodeUtf8Body(c).then(next));
    }
    // A declared length is refused before a byte is read, and Node's parser then reads exactly
    // that many. Read without touching `c.req.raw.body`, the body takes @hono/node-server's direct
    // path: that getter would wrap Node's request in a web Request and a ReadableStream, which
    // cost more than all the rest of the token route's HTTP handling.
    if (Number.parseInt(c.req.header('content-length') ?? '0', 10) > options.maxBytes)
      options.tooLarge();
    await decodeUtf8Body(c);
    await next();
  };
}
