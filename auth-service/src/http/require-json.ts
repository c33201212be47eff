import type { Context } from 'hono';
import { apiError } from './error-catalog.ts';

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * A request that sends a body must send JSON: anything else is refused with 415 before
 * parsing. An empty body counts as `{}`, so routes whose fields are all optional accept it.
 */
export function requireJsonBody(c: Context): void {
  if (!METHODS_WITH_BODY.has(c.req.method)) return;
  const length = c.req.header('content-length');
  const chunked = c.req.header('transfer-encoding') !== undefined;
  if (length !== undefined && Number(length) === 0 && !chunked) {
    // Hono reads JSON through its body cache (promises, though typed as values); seeding it
    // makes every later c.req.json() see `{}`. Pinned by the empty-body tests.
    (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve('{}');
  } else if (length !== undefined || chunked) {
    const mediaType = (c.req.header('content-type') ?? '').split(';')[0]?.trim() ?? '';
    if (!JSON_MEDIA_TYPE.test(mediaType)) {
      throw apiError('unsupported_media_type');
    }
  }
}
