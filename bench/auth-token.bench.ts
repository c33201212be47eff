import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { registerUser, startTestServer } from '@attune/auth-service/testing';
import { type LoadResult, runLoad } from './load.ts';

export interface AuthTokenBenchResult {
  /** The median run (by req/s) of each route; the routes' runs alternate so drift hits both. */
  bareHonoJson: LoadResult;
  authToken: LoadResult;
  runs: { bareHonoJson: number[]; authToken: number[] };
  /** authToken req/s ÷ bare req/s: the share of raw Hono throughput the real route keeps. */
  ratio: number;
}

/**
 * (a) a bare Hono JSON route and (b) POST /auth/token with a valid bearer, served from this one
 * process on loopback, each under the same autocannon load from a separate process.
 */
export async function benchAuthToken(options: {
  durationSeconds: number;
  connections: number;
  rounds: number;
}): Promise<AuthTokenBenchResult> {
  // The real app on its own loopback server (temp SQLite file, silent logs) and a bare Hono app
  // beside it, both in this process.
  // One user mints thousands of tokens here: lift the per-user session limit.
  const attune = await startTestServer({ LOG_LEVEL: 'silent', MAX_SESSIONS_PER_USER: '100000000' });
  const bare = new Hono();
  bare.get('/bench/bare', (c) => c.json({ status: 'ok' }));
  const bareServer = serve({ fetch: bare.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise((resolve) => bareServer.once('listening', resolve));
  const bareUrl = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/bench/bare`;

  try {
    const { accessToken } = await registerUser(attune);

    const common = { durationSeconds: options.durationSeconds, connections: options.connections };
    const bareRequest = { ...common, url: bareUrl };
    const tokenRequest = {
      ...common,
      url: `${attune.baseUrl}/auth/token`,
      method: 'POST' as const,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
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
        throw new Error(
          `POST /auth/token answered ${tokenRun.non2xx} non-2xx and ${tokenRun.errors} errors under load`,
        );
      }
      tokenRuns.push(tokenRun);
    }
    const bareHonoJson = median(bareRuns);
    const authToken = median(tokenRuns);
    return {
      bareHonoJson,
      authToken,
      runs: {
        bareHonoJson: bareRuns.map((r) => r.requestsPerSecond),
        authToken: tokenRuns.map((r) => r.requestsPerSecond),
      },
      ratio:
        Math.round((authToken.requestsPerSecond / bareHonoJson.requestsPerSecond) * 1000) / 1000,
    };
  } finally {
    await new Promise((resolve) => bareServer.close(resolve));
    await attune.close();
  }
}

function median(runs: LoadResult[]): LoadResult {
  const sorted = [...runs].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return sorted[Math.floor(sorted.length / 2)]!;
}
