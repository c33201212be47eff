import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { redisUrlWithoutCredentials } from '../config/redis-settings.ts';
import { FixedWindowCounter, type RateLimitConfig } from './rate-limit.ts';
import type { RequestCounterStore } from './request-counter-store.ts';
import { SharedRequestCounter } from './shared-request-counter.ts';
import { StoreHealth } from './store-health.ts';

type RedisStoreConfig = Extract<RateLimitConfig['store'], { kind: 'redis' }>;

/** How long start-up waits for the first connection before serving on the in-memory fallback. */
const FIRST_CONNECTION_WAIT_MS = 3_000;
/** While Redis is down, one count per second tries it again (see StoreHealth). */
const RETRY_MS = 1_000;
/**
 * Counts give up on Redis after RATE_LIMIT_STORE_TIMEOUT_MS (SharedRequestCounter); the client
 * drops a command it has had no reply to for this long, so a hung Redis does not pile them up.
 */
const COMMAND_DROP_MS = 10_000;

/**
 * Counts in one Redis shared by every replica (rate-limiter-flexible's RateLimiterRedis: one Lua
 * script per count, so concurrent replicas never both take the last request of a window).
 *
 * A dead Redis must not stall requests: the client queues nothing while disconnected
 * (`enableOfflineQueue: false`, and the limiter refuses up front unless the connection is
 * ready), and a count waits at most `timeoutMs`; either way it falls back to memory.
 * The client reconnects by itself, and the counts return to Redis once it answers.
 */
export async function createRedisCounterStore(
  config: RateLimitConfig,
  store: RedisStoreConfig,
  deps: { logger: Logger; now: () => number },
): Promise<RequestCounterStore> {
  const where = `Redis at ${redisUrlWithoutCredentials(store.redisUrl)}`;
  const health = new StoreHealth(deps.logger, where, RETRY_MS);
  const client = new Redis(store.redisUrl, {
    connectionName: 'attune-rate-limits',
    enableOfflineQueue: false,
    commandTimeout: Math.max(COMMAND_DROP_MS, store.timeoutMs * 2),
    connectTimeout: Math.max(store.timeoutMs, 1_000),
    // A command is never retried on a new connection: its request has fallen back already.
    maxRetriesPerRequest: 0,
    lazyConnect: true,
  });
  // Connection errors repeat on every reconnect attempt; the health logs the first, once.
  client.on('error', (error: Error) => health.failed(error, deps.now()));

  // Start-up waits briefly for the first connection, so the first requests count in Redis; if it
  // cannot be had, the service still starts (on the fallback) and connects when Redis is up.
  client.connect().catch(() => {});
  await Promise.race([once(client, 'ready'), sleep(FIRST_CONNECTION_WAIT_MS)]).catch(() => {});
  if (client.status === 'ready')
    deps.logger.info({ store: where }, 'rate limits shared through Redis');
  else health.failed(new Error(`no connection within ${FIRST_CONNECTION_WAIT_MS} ms`), deps.now());

  return {
    kind: 'redis',
    counterFor(routeClass, limit) {
      const limiter = new RateLimiterRedis({
        storeClient: client,
        keyPrefix: `${store.keyPrefix}rl:${routeClass}`,
        points: limit,
        duration: Math.ceil(config.windowMs / 1000),
        rejectIfRedisNotReady: true,
      });
      const fallback = new FixedWindowCounter(limit, config.windowMs, config.maxKeys);
      return new SharedRequestCounter(limit, limiter, fallback, health, store.timeoutMs);
    },
    close() {
      // Every request is answered by the time services close; nothing waits on a reply.
      client.disconnect();
      return Promise.resolve();
    },
  };
}
