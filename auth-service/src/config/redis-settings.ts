import { z } from 'zod';

/**
 * The Redis settings of the environment (REDIS_URL, REDIS_KEY_PREFIX), kept in one module so
 * env.ts only lists them. No message here ever repeats a value: REDIS_URL may carry a password.
 */

const REDIS_URL_EXAMPLE = 'redis://:password@redis.internal:6379/0';

/** `redis://` or `rediss://` (TLS), a host, optional credentials, port and database number. */
function isRedisUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    (url.protocol === 'redis:' || url.protocol === 'rediss:') &&
    url.hostname !== '' &&
    /^(?:\/(?:\d{1,2})?)?$/.test(url.pathname) &&
    url.hash === ''
  );
}

export const redisUrl = z
  .string()
  .refine(
    isRedisUrl,
    `must be redis://[[user]:password@]host[:port][/db] or rediss://… (TLS), e.g. ${REDIS_URL_EXAMPLE}; percent-encode special characters in the user and password`,
  );

/**
 * Starts every key Attune writes to Redis, so several deployments can share one server (each with
 * its own prefix) and an operator can tell Attune's keys apart.
 */
export const redisKeyPrefix = z
  .string()
  .regex(/^[A-Za-z0-9:._-]{1,64}$/, 'must be 1–64 letters, digits or `:._-` (e.g. attune:)');

/** What production needs from the Redis settings: a REDIS_URL that something uses. */
export function redisProductionProblems(env: {
  REDIS_URL?: string;
  RATE_LIMIT_ENABLED: boolean;
}): string[] {
  if (env.REDIS_URL !== undefined && !env.RATE_LIMIT_ENABLED)
    return [
      'REDIS_URL is set but RATE_LIMIT_ENABLED=false, so nothing is limited, shared or not; remove REDIS_URL or turn rate limits back on',
    ];
  return [];
}

/** The Redis URL without its user and password, for start-up logs and error messages. */
export function redisUrlWithoutCredentials(value: string): string {
  const url = new URL(value);
  url.username = '';
  url.password = '';
  url.search = '';
  return url.toString().replace(/\/$/, '');
}
