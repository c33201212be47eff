import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, createAppJwt, createLogger, createPasswordHasher, loadConfig } from '@attune/auth-service';
import { openDatabase } from '@attune/db';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { runLoad, type LoadResult } from './load.ts';

export interface AuthTokenBenchResult {
  /** The median run (by req/s) of each route; the routes' runs alternate so drift hits both. */
  bareHonoJson: LoadResult;
  authToken: LoadResult;
  runs: { bareHonoJson: number[]; authToken: number[] };
  /** authToken req/s ÷ bare req/s: the share of raw Hono throughput the real route keeps. */
  ratio: number;
}

/**
 * (a) a bare Hono JSON route and (b) POST /auth/token with a valid bearer, served by the same
 * process on loopback, each under the same autocannon load from a separate process.
 */
export async function benchAuthToken(options: { durationSeconds: number; connections: number; rounds: number }): Promise<AuthTokenBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'attune-bench-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_PATH: join(dir, 'attune.db'),
    JWT_SECRET: 'benchmark-secret-benchmark-secret-benchmark',
    BCRYPT_COST: '4',
    LOG_LEVEL: 'silent',
  });
  const database = openDatabase(config.databasePath);
  const passwords = createPasswordHasher(config.bcryptCost);
  const appJwt = await createAppJwt(config.jwtSecret, config.accessTokenTtlMs);
  const app = createApp({ config, database, passwords, appJwt, logger: createLogger('silent'), now: Date.now });

  const root = new Hono();
  root.get('/bench/bare', (c) => c.json({ status: 'ok' }));
  root.route('/', app);
  const server = serve({ fetch: root.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  try {
    const registered = await fetch(`${base}/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bench@example.org', password: 'benchmark password', full_name: 'Bench' }),
    });
    const { access_token } = (await registered.json()) as { access_token: string };

    const common = { durationSeconds: options.durationSeconds, connections: options.connections };
    const bareRequest = { ...common, url: `${base}/bench/bare` };
    const tokenRequest = {
      ...common,
      url: `${base}/auth/token`,
      method: 'POST' as const,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${access_token}` },
      body: '{}',
    };
    await runLoad({ ...bareRequest, durationSeconds: 2 }); // warm-up
    await runLoad({ ...tokenRequest, durationSeconds: 2 }); // warm-up
    const bareRuns: LoadResult[] = [];
    const tokenRuns: LoadResult[] = [];
    for (let round = 0; round < options.rounds; round += 1) {
      bareRuns.push(await runLoad(bareRequest));
      const tokenRun = await runLoad(tokenRequest);
      if (tokenRun.non2xx > 0 || tokenRun.errors > 0) {
        throw new Error(`POST /auth/token answered ${tokenRun.non2xx} non-2xx and ${tokenRun.errors} errors under load`);
      }
      tokenRuns.push(tokenRun);
    }
    const bareHonoJson = median(bareRuns);
    const authToken = median(tokenRuns);
    return {
      bareHonoJson,
      authToken,
      runs: { bareHonoJson: bareRuns.map((r) => r.requestsPerSecond), authToken: tokenRuns.map((r) => r.requestsPerSecond) },
      ratio: Math.round((authToken.requestsPerSecond / bareHonoJson.requestsPerSecond) * 1000) / 1000,
    };
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await passwords.close();
    database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(runs: LoadResult[]): LoadResult {
  const sorted = [...runs].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return sorted[Math.floor(sorted.length / 2)]!;
}
