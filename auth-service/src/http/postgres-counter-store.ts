import type { Logger } from 'pino';
import { RateLimiterPostgres } from 'rate-limiter-flexible';
import { RATE_LIMIT_TABLE, openRateLimitPool } from '@attune/db';
import { FixedWindowCounter, type RateLimitConfig } from './rate-limit.ts';
import type { RequestCounterStore } from './request-counter-store.ts';
import { SharedRequestCounter } from './shared-request-counter.ts';
import { StoreHealth } from './store-health.ts';

type PostgresStoreConfig = Extract<RateLimitConfig['store'], { kind: 'postgres' }>;

/** While PostgreSQL does not answer, one count per second tries it again (see StoreHealth). */
const RETRY_MS = 1_000;

/**
 * Counts in the PostgreSQL database the replicas share, for deployments without Redis
 * (rate-limiter-flexible's RateLimiterPostgres: one upsert per count, so concurrent replicas never
 * both take the last request of a window). A count that does not answer within `timeoutMs` falls
 * back to this process's memory, as with Redis.
 */
export async function createPostgresCounterStore(
  config: RateLimitConfig,
  store: PostgresStoreConfig,
  deps: { logger: Logger; now: () => number },
): Promise<RequestCounterStore> {
  const health = new StoreHealth(deps.logger, 'PostgreSQL (DATABASE_URL)', RETRY_MS);
  const pool = await openRateLimitPool(store.databaseUrl);
  deps.logger.info({ store: 'postgres' }, 'rate limits shared through PostgreSQL');
  return {
    kind: 'postgres',
    counterFor(routeClass, limit) {
      const limiter = new RateLimiterPostgres({
        storeClient: pool,
        storeType: 'pool',
        tableName: RATE_LIMIT_TABLE,
        tableCreated: true,
        clearExpiredByTimeout: true,
        keyPrefix: `rl:${routeClass}`,
        points: limit,
        duration: Math.ceil(config.windowMs / 1000),
      });
      const fallback = new FixedWindowCounter(limit, config.windowMs, config.maxKeys);
      return new SharedRequestCounter(limit, limiter, fallback, health, store.timeoutMs);
    },
    close: () => pool.end(),
  };
}
