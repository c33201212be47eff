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
  bareHonoJson: LoadResult;
  authToken: LoadResult;
  /** authToken req/s ÷ bare req/s: the share of raw Hono throughput the real route keeps. */
  ratio: number;
}

/**
 * (a) a bare Hono JSON route and (b) POST /auth/token with a valid bearer, served by the same
 * process on loopback, each under the same autocannon load from a separate process.
 */
export async function benchAuthToken(options: { durationSeconds: number; connections: number }): Promise<AuthTokenBenchResult> {
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
    await runLoad({ ...common, durationSeconds: 2, url: `${base}/bench/bare` }); // warm-up
    const bareHonoJson = await runLoad({ ...common, url: `${base}/bench/bare` });
    const tokenRequest = {
      ...common,
      url: `${base}/auth/token`,
      method: 'POST' as const,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${access_token}` },
      body: '{}',
    };
    await runLoad({ ...tokenRequest, durationSeconds: 2 }); // warm-up
    const authToken = await runLoad(tokenRequest);
    if (authToken.non2xx > 0 || authToken.errors > 0) {
      throw new Error(`POST /auth/token answered ${authToken.non2xx} non-2xx and ${authToken.errors} errors under load`);
    }
    return { bareHonoJson, authToken, ratio: Math.round((authToken.requestsPerSecond / bareHonoJson.requestsPerSecond) * 1000) / 1000 };
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await passwords.close();
    database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
