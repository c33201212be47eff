import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { type TestPostgresDatabase, createTestPostgresDatabase } from '@attune/db/postgres-server';
import { createLogger } from '../logger.ts';
import type { RateLimitConfig } from './rate-limit.ts';
import { type RequestCounterStore, createRequestCounterStore } from './request-counter-store.ts';

const config = (databaseUrl: string): RateLimitConfig => ({
  windowMs: 60_000,
  maxKeys: 1_000,
  perWindow: { auth: 20, refresh: 20, token: 20, general: 20 },
  store: { kind: 'postgres', databaseUrl, timeoutMs: 5_000 },
});

function quietLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger('info', sink), lines };
}

describe('rate limits shared through PostgreSQL (DATABASE_URL without REDIS_URL)', () => {
  let database: TestPostgresDatabase | undefined;
  let stores: RequestCounterStore[] = [];

  afterEach(async () => {
    await Promise.all(stores.map((store) => store.close()));
    stores = [];
    await database?.drop();
  });

  it('counts one limit for three replicas: 20 of 60 concurrent counts pass', async () => {
    database = await createTestPostgresDatabase();
    const url = database.url;
    const { logger, lines } = quietLogger();
    // Three replicas starting together create the counting table once, without a race.
    stores = await Promise.all(
      [1, 2, 3].map(() => createRequestCounterStore(config(url), { logger, now: Date.now })),
    );
    expect(stores.map((store) => store.kind)).toEqual(['postgres', 'postgres', 'postgres']);
    const counters = stores.map((store) => store.counterFor('auth', 20));
    const quotas = await Promise.all(
      Array.from({ length: 60 }, (_, i) => counters[i % 3]!.hit('198.51.100.7', Date.now())),
    );
    expect(quotas.filter((q) => q.allowed)).toHaveLength(20);
    expect(
      quotas
        .filter((q) => q.allowed)
        .map((q) => q.remaining)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(lines.filter((line) => line.includes('does not answer'))).toEqual([]);
    expect(lines.join('')).not.toContain(url);
  });

  it('falls back to this process’s memory while PostgreSQL is gone, and says so once', async () => {
    database = await createTestPostgresDatabase();
    const { logger, lines } = quietLogger();
    const store = await createRequestCounterStore(
      {
        ...config(database.url),
        store: { kind: 'postgres', databaseUrl: database.url, timeoutMs: 200 },
      },
      { logger, now: Date.now },
    );
    stores = [store];
    await database.drop();
    database = undefined;
    const counter = store.counterFor('auth', 3);
    const quotas = [];
    for (let i = 0; i < 5; i++) quotas.push(await counter.hit('203.0.113.9', Date.now()));
    expect(quotas.map((q) => q.allowed)).toEqual([true, true, true, false, false]);
    expect(lines.filter((line) => line.includes('does not answer'))).toHaveLength(1);
  });
});
