import type { Context } from 'hono';
import { apiError } from './error-catalog.ts';

/** Refuses bytes that are not UTF-8, where `Response.text()` would quietly make them U+FFFD. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads the request body once and decodes it as strict UTF-8; every later `c.req.json()` or
 * `c.req.text()` reads the decoded text from Hono's body cache. Without it two passwords with
 * different invalid bytes would both become U+FFFD and count as the same password. Runs inside
 * the body limit, which has already refused (or buffered and counted) an oversized body.
 */
export async function decodeUtf8Body(c: Context): Promise<void> {
  const cache = c.req.bodyCache as { text?: Promise<string> };
  // GET and HEAD have no body. Asked by method, not by `c.req.raw.body`: on @hono/node-server
  // that getter wraps Node's request in a web stream, and the read below would then go through it.
  if (c.req.method === 'GET' || c.req.method === 'HEAD' || cache.text !== undefined) return;
  const bytes = await c.req.arrayBuffer();
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw apiError('invalid_utf8');
  }
  cache.text = Promise.resolve(text);
}
