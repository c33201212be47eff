import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.ts';
import { createLogger } from '../logger.ts';
import { type TestRedis, startTestRedis } from '../testing/redis-server.ts';
import { type TestServer, startTestServer } from '../testing/test-server.ts';
import { createRequestCounterStore } from './request-counter-store.ts';

type ErrorBody = { error: { code: string; message: string } };

let guesses = 0;

/**
 * A login guess from `ip`, as the trusted proxy (127.0.0.1) forwards it, each for another address
 * so the login throttle (per account, in each replica's own database here) never answers first.
 */
function guess(server: TestServer, ip: string): Promise<Response> {
  guesses += 1;
  return server.fetch('/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify({ email: `nobody${guesses}@example.org`, password: 'not this one' }),
  });
}

function startReplicas(count: number, redis: TestRedis, authPerMinute: number, timeoutMs: number) {
  return Promise.all(
    Array.from({ length: count }, () =>
      startTestServer({
        ...redis.env,
        TRUSTED_PROXIES: '127.0.0.1',
        RATE_LIMIT_AUTH_PER_MINUTE: String(authPerMinute),
        RATE_LIMIT_STORE_TIMEOUT_MS: String(timeoutMs),
      }),
    ),
  );
}

const logLines = (server: TestServer, text: string) =>
  server.logs.filter((line) => line.includes(text));
const FELL_BACK = 'the shared rate-limit store does not answer';
const RECOVERED = 'the shared rate-limit store answers again';

describe('rate limits shared through Redis', () => {
  let redis: TestRedis;
  let replicas: TestServer[] = [];
  beforeAll(async () => {
    redis = await startTestRedis();
    // A generous timeout: these tests are about sharing, and this 2-core machine may be busy.
    replicas = await startReplicas(3, redis, 20, 5_000);
  });
  afterEach(() => {
    // Every count went to Redis (a fallback would let each replica allow the full limit).
    for (const replica of replicas) expect(logLines(replica, FELL_BACK)).toEqual([]);
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.close()));
    await redis.close();
  });

  it('lets exactly the limit of 60 concurrent guesses through, spread round-robin over three replicas', async () => {
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => guess(replicas[i % 3]!, '198.51.100.7')),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status !== 429)).toHaveLength(20);
    expect(statuses.filter((status) => status === 429)).toHaveLength(40);
    expect(new Set(statuses)).toEqual(new Set([401, 429]));
    const refusals = await Promise.all(
      answers.filter((answer) => answer.status === 429).map((answer) => answer.json()),
    );
    expect(new Set(refusals.map((body) => (body as ErrorBody).error.code))).toEqual(
      new Set(['rate_limited']),
    );
    // Every replica refused some: the count is one, not three.
    for (let r = 0; r < 3; r += 1)
      expect(statuses.filter((status, i) => i % 3 === r && status === 429).length).toBeGreaterThan(
        0,
      );
  });

  it('counts one window across replicas: RateLimit-Remaining goes down from replica to replica', async () => {
    const ip = '198.51.100.8';
    const remaining = [];
    for (let i = 0; i < 4; i += 1)
      remaining.push((await guess(replicas[i % 3]!, ip)).headers.get('ratelimit-remaining'));
    expect(remaining).toEqual(['19', '18', '17', '16']);
  });

  it('answers a refusal from Redis with the same 429 body and headers as the in-memory limiter', async () => {
    const ip = '198.51.100.9';
    for (let i = 0; i < 20; i += 1) expect((await guess(replicas[i % 3]!, ip)).status).toBe(401);
    const refused = await guess(replicas[2]!, ip);
    expect(refused.status).toBe(429);
    const body = (await refused.json()) as ErrorBody;
    expect(body.error.code).toBe('rate_limited');
    expect(body.error.message).toMatch(/^Too many requests; try again in \d+ s$/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(body.error.message).toContain(`in ${retryAfter} s`);
    expect({
      limit: refused.headers.get('ratelimit-limit'),
      remaining: refused.headers.get('ratelimit-remaining'),
      reset: refused.headers.get('ratelimit-reset'),
      policy: refused.headers.get('ratelimit-policy'),
    }).toEqual({ limit: '20', remaining: '0', reset: String(retryAfter), policy: '20;w=60' });
  });

  it('keeps deployments that share a Redis apart by REDIS_KEY_PREFIX', async () => {
    const other = await startTestServer({
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `${redis.keyPrefix}other:`,
      TRUSTED_PROXIES: '127.0.0.1',
      RATE_LIMIT_AUTH_PER_MINUTE: '20',
    });
    try {
      const ip = '198.51.100.10';
      for (let i = 0; i < 5; i += 1) await guess(replicas[0]!, ip);
      expect((await guess(other, ip)).headers.get('ratelimit-remaining')).toBe('19');
    } finally {
      await other.close();
    }
  });
});

describe('while Redis is down or frozen', () => {
  let redis: TestRedis;
  let replicas: TestServer[] = [];
  beforeAll(async () => {
    // Its own server even in CI: this test stops it.
    redis = await startTestRedis({ own: true });
    replicas = await startReplicas(2, redis, 5, 200);
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.close()));
    await redis.close();
  });

  /** Guesses from fresh addresses, moving each replica's clock past the retry pause, until `done`. */
  async function untilLogged(text: string): Promise<void> {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      if (replicas.every((replica) => logLines(replica, text).length > 0)) return;
      for (const replica of replicas) {
        replica.advanceClock(1_000);
        expect((await guess(replica, `203.0.113.${attempt + 1}`)).status).toBe(401);
      }
      await sleep(100);
    }
    throw new Error(`never logged: ${text}`);
  }

  it('answers every request, limits each replica in its own memory, logs once, and shares again once Redis is back', async () => {
    // Shared while Redis runs: 3 + 2 of 5.
    for (const replica of [0, 0, 0, 1]) await guess(replicas[replica]!, '192.0.2.1');
    expect((await guess(replicas[1]!, '192.0.2.1')).headers.get('ratelimit-remaining')).toBe('0');

    await redis.kill();
    // No 500 and no wait: each replica counts alone, so each allows the full 5, then refuses.
    for (const replica of replicas) {
      const statuses = [];
      for (let i = 0; i < 6; i += 1) statuses.push((await guess(replica, '192.0.2.2')).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    }
    for (const replica of replicas) {
      expect(logLines(replica, FELL_BACK)).toHaveLength(1);
      expect(logLines(replica, RECOVERED)).toHaveLength(0);
    }

    await redis.restart();
    await untilLogged(RECOVERED);
    for (const replica of replicas) expect(logLines(replica, FELL_BACK)).toHaveLength(1);
    // Counting in Redis again: 5 across both replicas.
    const statuses = [];
    for (let i = 0; i < 6; i += 1)
      statuses.push((await guess(replicas[i % 2]!, '192.0.2.3')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('answers from memory within the timeout while Redis is frozen, and shares again when it thaws', async () => {
    const before = logLines(replicas[0]!, FELL_BACK).length;
    redis.pause();
    try {
      const statuses = [];
      for (let i = 0; i < 6; i += 1) statuses.push((await guess(replicas[0]!, '192.0.2.4')).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
      expect(logLines(replicas[0]!, FELL_BACK)).toHaveLength(before + 1);
      expect(logLines(replicas[0]!, FELL_BACK).at(-1)).toContain('no answer within 200 ms');
    } finally {
      redis.resume();
    }
    const recovered = logLines(replicas[0]!, RECOVERED).length;
    for (let attempt = 0; logLines(replicas[0]!, RECOVERED).length === recovered; attempt += 1) {
      if (attempt === 100) throw new Error('never counted in Redis again');
      replicas[0]!.advanceClock(1_000);
      await guess(replicas[0]!, `203.0.113.${200 + (attempt % 50)}`);
      await sleep(50);
    }
  });
});

describe('a count while the event loop is held up', () => {
  it('takes the Redis answer that arrived meanwhile, not the timeout due at the same moment', async () => {
    const redis = await startTestRedis();
    const logs: string[] = [];
    const logger = createLogger(
      'info',
      new Writable({
        write(chunk, _encoding, done) {
          logs.push(String(chunk));
          done();
        },
      }),
    );
    const { rateLimit } = loadConfig({
      JWT_SECRET: 'x'.repeat(32),
      ...redis.env,
      RATE_LIMIT_STORE_TIMEOUT_MS: '50',
    });
    const store = await createRequestCounterStore(rateLimit!, { logger, now: Date.now });
    try {
      const counter = store.counterFor('auth', 3);
      expect((await counter.hit('ip:192.0.2.60', Date.now())).remaining).toBe(2);
      const pending = counter.hit('ip:192.0.2.60', Date.now());
      // Six times the timeout of synchronous work, as a burst of requests might take.
      const busyUntil = Date.now() + 300;
      while (Date.now() < busyUntil);
      // 1 left: counted in Redis (the in-memory fallback has seen no request of this key).
      expect((await pending).remaining).toBe(1);
      expect(logs.filter((line) => line.includes(FELL_BACK))).toEqual([]);
    } finally {
      await store.close();
      await redis.close();
    }
  });
});

describe('REDIS_URL with a password', () => {
  it('connects with it and never writes it to the log', async () => {
    const password = 'hunter2-redis-password';
    const redis = await startTestRedis({ password });
    const server = await startTestServer({ ...redis.env, TRUSTED_PROXIES: '127.0.0.1' });
    try {
      expect((await guess(server, '192.0.2.50')).status).toBe(401);
      expect(logLines(server, 'rate limits shared through Redis')).toHaveLength(1);
      expect(logLines(server, FELL_BACK)).toHaveLength(0);
      expect(server.logs.join('\n')).not.toContain(password);
    } finally {
      await server.close();
      await redis.close();
    }
  });
});
