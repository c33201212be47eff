import { performance } from 'node:perf_hooks';
import {
  FixedWindowCounter,
  createLogger,
  createRequestCounterStore,
  loadConfig,
} from '@attune/auth-service';
import { registerUser, startTestRedis, startTestServer } from '@attune/auth-service/testing';
import { type LoadResult, runLoad } from './load.ts';

export interface RateLimitStoreBenchResult {
  hits: number;
  concurrency: number;
  /** Microseconds per count, one at a time (each awaited before the next). */
  sequentialUs: { fixedWindowSync: number; memoryStore: number; redisStore: number };
  /** Counts per second with `concurrency` in flight. */
  concurrentPerSecond: { memoryStore: number; redisStore: number };
  /** Redis ÷ memory store, per count one at a time: what sharing the limits costs. */
  ratioRedisToMemory: number;
  /** Memory store (async) ÷ the synchronous window it wraps: what the async interface costs. */
  ratioAsyncToSync: number;
  /**
   * GET /auth/me with a bearer (two counts: per IP and per user) on the real app, counting in
   * memory and in Redis: the median run of each, alternating.
   */
  http: { memory: LoadResult; redis: LoadResult; ratioRedisToMemory: number };
}

const KEYS = 1_000;
const round = (value: number, digits = 2) => Number(value.toFixed(digits));

/**
 * The cost of one rate-limit count: the bounded in-memory window called directly (the old,
 * synchronous path), the same behind the async RequestCounter (the memory store), and the Redis
 * store on a throwaway loopback redis-server. Limits are high, so every count is allowed.
 */
export async function benchRateLimitStore(options: {
  hits: number;
  concurrency: number;
  durationSeconds: number;
  rounds: number;
}): Promise<RateLimitStoreBenchResult> {
  const redis = await startTestRedis({ own: true });
  const logger = createLogger('silent');
  const configFor = (env: Record<string, string>) => {
    const rateLimit = loadConfig({ JWT_SECRET: 'x'.repeat(32), ...env }).rateLimit;
    if (!rateLimit) throw new Error('rate limits are off');
    return rateLimit;
  };
  const memoryStore = await createRequestCounterStore(configFor({}), { logger, now: Date.now });
  const redisStore = await createRequestCounterStore(configFor(redis.env), {
    logger,
    now: Date.now,
  });
  try {
    const limit = 1_000_000_000;
    const sync = new FixedWindowCounter(limit, 60_000, 50_000);
    const memory = memoryStore.counterFor('general', limit);
    const shared = redisStore.counterFor('general', limit);
    const key = (i: number) => `ip:10.0.${(i % KEYS) >> 8}.${i % 256}`;

    const timeSync = () => {
      const started = performance.now();
      for (let i = 0; i < options.hits; i += 1) sync.hit(key(i), Date.now());
      return ((performance.now() - started) * 1000) / options.hits;
    };
    const timeSequential = async (counter: typeof memory) => {
      const started = performance.now();
      for (let i = 0; i < options.hits; i += 1) await counter.hit(key(i), Date.now());
      return ((performance.now() - started) * 1000) / options.hits;
    };
    const timeConcurrent = async (counter: typeof memory) => {
      let next = 0;
      const worker = async () => {
        while (next < options.hits) await counter.hit(key(next++), Date.now());
      };
      const started = performance.now();
      await Promise.all(Array.from({ length: options.concurrency }, worker));
      return Math.round(options.hits / ((performance.now() - started) / 1000));
    };

    // A warm-up of each, then the measured runs.
    timeSync();
    await timeSequential(memory);
    await timeSequential(shared);
    const sequentialUs = {
      fixedWindowSync: round(timeSync(), 3),
      memoryStore: round(await timeSequential(memory), 3),
      redisStore: round(await timeSequential(shared)),
    };
    const concurrentPerSecond = {
      memoryStore: await timeConcurrent(memory),
      redisStore: await timeConcurrent(shared),
    };
    return {
      hits: options.hits,
      concurrency: options.concurrency,
      sequentialUs,
      concurrentPerSecond,
      ratioRedisToMemory: round(sequentialUs.redisStore / sequentialUs.memoryStore, 1),
      ratioAsyncToSync: round(sequentialUs.memoryStore / sequentialUs.fixedWindowSync),
      http: await benchHttp(redis.env, options),
    };
  } finally {
    await Promise.all([memoryStore.close(), redisStore.close()]);
    await redis.close();
  }
}

async function benchHttp(
  redisEnv: Record<string, string>,
  options: { concurrency: number; durationSeconds: number; rounds: number },
): Promise<RateLimitStoreBenchResult['http']> {
  // Limits far above what a run sends, so every request is counted and none refused.
  const env = { LOG_LEVEL: 'silent', RATE_LIMIT_GENERAL_PER_MINUTE: '1000000000' };
  const servers = [await startTestServer(env), await startTestServer({ ...env, ...redisEnv })];
  try {
    const runs: LoadResult[][] = [[], []];
    const specs = await Promise.all(
      servers.map(async (server) => ({
        url: `${server.baseUrl}/auth/me`,
        headers: { authorization: `Bearer ${(await registerUser(server)).accessToken}` },
        connections: options.concurrency,
        durationSeconds: options.durationSeconds,
      })),
    );
    for (let round = 0; round < options.rounds; round += 1)
      for (const [i, spec] of specs.entries()) runs[i]!.push(await runLoad(spec));
    const median = (results: LoadResult[]) =>
      [...results].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)[
        Math.floor(results.length / 2)
      ]!;
    const [memory, redis] = runs.map(median) as [LoadResult, LoadResult];
    return {
      memory,
      redis,
      ratioRedisToMemory: round(redis.requestsPerSecond / memory.requestsPerSecond),
    };
  } finally {
    await Promise.all(servers.map((server) => server.close()));
  }
}

// `node --conditions=@attune/source --import tsx bench/rate-limit-store.bench.ts` runs it alone.
if (import.meta.url === `file://${process.argv[1]}`)
  console.dir(
    await benchRateLimitStore({ hits: 50_000, concurrency: 50, durationSeconds: 5, rounds: 3 }),
    { depth: null },
  );
