import type { Context } from 'hono';
import { clientIp } from './client-ip.ts';

/**
 * The client IP (decided once per request by `clientIpMiddleware`: X-Forwarded-For only from a
 * trusted proxy) and a trimmed user agent, for audit and refresh-token rows.
 */
export function clientMeta(c: Context): { ip: string | null; userAgent: string | null } {
  const ip = clientIp(c);
  const userAgent = c.req.header('user-agent')?.slice(0, 256) ?? null;
  return { ip, userAgent };
}
