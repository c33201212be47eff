import { fileURLToPath } from 'node:url';
import { type NodePgDatabase, drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import * as schema from './schema.pg.ts';

/** The drizzle handle on PostgreSQL, or a transaction on it. */
export type PgDb = NodePgDatabase<typeof schema>;

export interface PostgresDatabase {
  readonly db: PgDb;
  /** The node-postgres pool under `db`; its size is `poolSize`. */
  readonly pool: pg.Pool;
  /** True while a pooled connection answers a trivial query within `timeoutMs`. */
  isReachable(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface OpenPostgresOptions {
  /** Most connections this process holds; replicas × poolSize must stay under max_connections. */
  poolSize?: number;
  /** How long a query may wait for a free pooled connection before failing. */
  connectionTimeoutMs?: number;
  /** Passed to every connection as statement_timeout, so a stuck query cannot hold a request forever. */
  statementTimeoutMs?: number;
}

const MIGRATIONS_FOLDER = fileURLToPath(new URL('../migrations-pg', import.meta.url));

/**
 * Key of the session-level advisory lock every replica takes around migrating: without it,
 * replicas booting at once on an empty database race to create the same tables and crash.
 * An arbitrary constant ("attune" in ASCII), the same in every version.
 */
export const MIGRATION_LOCK_KEY = 0x617474756e65;

// node-postgres hands int8 (bigint, and every count(*)) and numeric (avg, sum of bigint) back as
// strings, to keep precision past 2^53. Attune stores epoch milliseconds and counts there, all
// far below 2^53, and its queries promise numbers, so both are parsed as numbers. It has to be
// node-postgres's global parser: drizzle passes its own per-query parsers, which fall back to the
// global ones and ignore a pool's `types`.
const INT8_OID = 20;
const NUMERIC_OID = 1700;
pg.types.setTypeParser(INT8_OID, Number);
pg.types.setTypeParser(NUMERIC_OID, Number);

/**
 * Connects a pool to the PostgreSQL database at `url` and applies every pending migration
 * under the migration lock before anything else touches it.
 */
export async function openPostgresDatabase(
  url: string,
  options: OpenPostgresOptions = {},
): Promise<PostgresDatabase> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
    statement_timeout: options.statementTimeoutMs ?? 30_000,
  });
  // An idle pooled connection that the server drops (restart, failover) emits 'error' on the
  // pool; unhandled, that would end the process. The next query simply opens a new connection.
  pool.on('error', () => {});
  try {
    await migrateUnderLock(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const db = drizzle(pool, { schema });
  return {
    db,
    pool,
    async isReachable(timeoutMs = 1_000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const ping = pool.query('SELECT 1').then(
        () => true,
        () => false,
      );
      try {
        return await Promise.race([ping, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      await pool.end();
    },
  };
}

/**
 * Runs drizzle's migrator on one connection holding the migration lock. The lock is
 * session-level, so it is released when the connection closes even if this process dies
 * half-way; PostgreSQL runs DDL in transactions, so a half-applied migration rolls back.
 */
async function migrateUnderLock(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await migrate(drizzle(client, { schema }), { migrationsFolder: MIGRATIONS_FOLDER });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } catch (error) {
    broken = true;
    throw error;
  } finally {
    // A connection that failed mid-migration may still hold the lock: close it, don't reuse it.
    client.release(broken);
  }
}
