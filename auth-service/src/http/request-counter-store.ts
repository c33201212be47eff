import type { Logger } from 'pino';
import { createPostgresCounterStore } from './postgres-counter-store.ts';
import {
  FixedWindowCounter,
  type RateLimitClass,
  type RateLimitConfig,
  type RequestCounter,
} from './rate-limit.ts';
import { createRedisCounterStore } from './redis-counter-store.ts';

/**
 * Where the rate-limit counts live, chosen by configuration (`RateLimitConfig.store`): this
 * process's memory, or a store every replica shares. One per process: the server entry, the
 * test server and the benchmark build it with the other services and close it with them.
 */
export interface RequestCounterStore {
  readonly kind: RateLimitConfig['store']['kind'];
  /** The counter of one route class, `limit` requests per window per key. */
  counterFor(routeClass: RateLimitClass, limit: number): RequestCounter;
  /** Releases the store's connections. */
  close(): Promise<void>;
}

/** What a store may need besides the configuration (a PostgreSQL store will take the pool here). */
export interface RequestCounterStoreDeps {
  logger: Logger;
  now: () => number;
}

/**
 * The configured store. Each shared store is a module (`redis-counter-store.ts`,
 * `postgres-counter-store.ts`) that wraps each class's rate-limiter-flexible limiter in a
 * `SharedRequestCounter`, with its own timeout and in-memory fallback.
 */
export function createRequestCounterStore(
  config: RateLimitConfig,
  deps: RequestCounterStoreDeps,
): Promise<RequestCounterStore> {
  switch (config.store.kind) {
    case 'memory':
      return Promise.resolve(memoryCounterStore(config));
    case 'redis':
      return createRedisCounterStore(config, config.store, deps);
    case 'postgres':
      return createPostgresCounterStore(config, config.store, deps);
  }
}

/**
 * This process's memory: a bounded fixed window per class (see `FixedWindowCounter`). Counting
 * stays synchronous; the promise is already settled, so a request waits for nothing but a
 * microtask. rate-limiter-flexible's RateLimiterMemory is not used: it has no bound on the keys it
 * holds (one timer each) and reads the wall clock, not the service's injected `now`.
 */
export function memoryCounterStore(config: RateLimitConfig): RequestCounterStore {
  return {
    kind: 'memory',
    counterFor(_routeClass, limit) {
      const window = new FixedWindowCounter(limit, config.windowMs, config.maxKeys);
      return { hit: (key, nowMs) => Promise.resolve(window.hit(key, nowMs)) };
    },
    close: () => Promise.resolve(),
  };
}
