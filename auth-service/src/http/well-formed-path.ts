import type { MiddlewareHandler } from 'hono';
import { apiError } from './error-catalog.ts';

/**
 * Refuses a path with a percent-escape that does not decode (`%ZZ`, or `%FF`, which is not
 * UTF-8). Hono leaves such escapes as they are, so `/me/preferences/%FF` would store the literal
 * key `%FF`, which a client that sent `%25FF` also gets: one key, two spellings.
 */
export const refuseMalformedPath: MiddlewareHandler = async (c, next) => {
  // Most URLs hold no escape at all: only those are parsed (once per request adds up).
  const path = c.req.url.includes('%') ? new URL(c.req.url).pathname : '';
  if (path.includes('%')) {
    try {
      decodeURIComponent(path);
    } catch {
      throw apiError('invalid_path');
    }
  }
  await next();
};
