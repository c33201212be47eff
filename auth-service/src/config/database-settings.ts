import { z } from 'zod';

/**
 * The PostgreSQL settings of the environment (DATABASE_URL, DATABASE_POOL_SIZE), kept in one
 * module so env.ts only lists them. No message here ever repeats a value: DATABASE_URL may carry
 * a password.
 */

const DATABASE_URL_EXAMPLE = 'postgres://attune:password@db.internal:5432/attune';

/** `postgres://` or `postgresql://`, a host and a database name. */
function isPostgresUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    (url.protocol === 'postgres:' || url.protocol === 'postgresql:') &&
    url.hostname !== '' &&
    /^\/[^/]+$/.test(url.pathname) &&
    url.hash === ''
  );
}

export const databaseUrl = z
  .string()
  .refine(
    isPostgresUrl,
    `must be postgres://[user[:password]@]host[:port]/database (or postgresql://…), e.g. ${DATABASE_URL_EXAMPLE}; percent-encode special characters in the user and password`,
  );

/**
 * Connections one replica holds at most. Every replica holds its own pool, so replicas × pool size
 * must stay below the server's max_connections (100 by default), with room for the CLIs.
 */
export const databasePoolSize = z.coerce.number().int().min(1).max(200);

/** The database as the service opens it: the SQLite file, or PostgreSQL when DATABASE_URL is set. */
export type DatabaseSettings =
  { engine: 'sqlite'; path: string } | { engine: 'postgres'; url: string; poolSize: number };

/** `postgres://user:***@host:5432/db`: where the service's data lives, safe to log. */
export function describeDatabase(settings: DatabaseSettings): string {
  if (settings.engine === 'sqlite') return settings.path;
  const url = new URL(settings.url);
  if (url.password) url.password = '***';
  url.search = '';
  return url.toString();
}
