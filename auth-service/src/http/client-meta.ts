import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/** The peer address of the connection (proxy headers are not trusted here) and a trimmed user agent. */
export function clientMeta(c: Context): { ip: string | null; userAgent: string | null } {
  let ip: string | null = null;
  try {
    ip = getConnInfo(c).remote.address ?? null;
  } catch {
    ip = null;
  }
  const userAgent = c.req.header('user-agent')?.slice(0, 256) ?? null;
  return { ip, userAgent };
}
