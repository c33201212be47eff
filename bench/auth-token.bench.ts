// POST /auth/token under load, beside two baselines of the same run. Each server is compiled
// JavaScript in a process of its own on loopback, as production runs it, and autocannon loads it
// from yet another process:
//   - a bare Hono app answering a JSON POST that reads its `{}` body (what HTTP + Hono cost);
//   - a token server written the way LiveKit's samples write one (Express + AccessToken.toJwt,
//     no authentication, no database): what minting a LiveKit token costs at its plainest;
//   - the auth service: bearer app JWT verified, user and device checked in SQLite, room claimed,
//     session limit counted, the session and an audit row written, the LiveKit token signed;
//   - the same auth service on PostgreSQL (DATABASE_URL, a throwaway server on loopback).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  TEST_POSTGRES_URL_VAR,
  createTestPostgresDatabase,
  startPostgresServer,
} from '@attune/db/postgres-server';
import { type LoadResult, runLoad } from './load.ts';
import { cpuSecondsOf, freePort, startServiceProcess } from './service-process.ts';

const BARE_SERVER = fileURLToPath(new URL('./bare-hono-server.mjs', import.meta.url));
const SAMPLE_SERVER = fileURLToPath(new URL('./livekit-sample-token-server.mjs', import.meta.url));

const ROUTES = ['bareHonoJson', 'livekitSample', 'authToken', 'authTokenPostgres'] as const;
type Route = (typeof ROUTES)[number];

export interface AuthTokenBenchResult {
  /** The median run (by req/s) of each route; the routes' runs alternate so drift hits all. */
  bareHonoJson: LoadResult;
  livekitSample: LoadResult;
  authToken: LoadResult;
  /** The same route with the service on PostgreSQL (absent in results from before it was measured). */
  authTokenPostgres?: LoadResult;
  runs: Partial<Record<Route, number[]>>;
  /**
   * CPU time (user + system, from /proc) each server spent per request answered, over all its
   * runs: steadier than req/s on a machine shared with other work.
   */
  cpuMicrosPerRequest: Partial<Record<Route, number>>;
  /** authToken req/s ÷ bare req/s: the share of raw Hono throughput the real route keeps. */
  ratio: number;
  /** livekitSample req/s ÷ bare req/s: the same share for LiveKit's sample token server. */
  sampleRatio: number;
  /** authTokenPostgres req/s ÷ bare req/s. */
  postgresRatio?: number;
}

async function startChild(
  script: string,
  path: string,
): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [script, String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await once(child.stdout, 'data');
  return { url: `http://127.0.0.1:${port}${path}`, child };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

/** A fresh user's access token, through the service's own sign-up. */
async function signUp(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: `bench-${Date.now()}@example.org`,
      password: 'a good bench password',
      full_name: 'Bench User',
    }),
  });
  if (response.status !== 201)
    throw new Error(`sign-up failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

export async function benchAuthToken(options: {
  durationSeconds: number;
  connections: number;
  rounds: number;
  /** Write a CPU profile of the auth service (`node --cpu-prof`) into this folder. */
  profileDir?: string | undefined;
}): Promise<AuthTokenBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'attune-bench-token-'));
  const children: ChildProcess[] = [];
  let service: Awaited<ReturnType<typeof startServiceProcess>> | undefined;
  let onPostgres: Awaited<ReturnType<typeof startServiceProcess>> | undefined;
  // PostgreSQL: ATTUNE_TEST_POSTGRES_URL's server, else a throwaway one for this bench.
  const postgresServer = process.env[TEST_POSTGRES_URL_VAR] ? null : await startPostgresServer();
  if (postgresServer) process.env[TEST_POSTGRES_URL_VAR] = postgresServer.url;
  const postgres = await createTestPostgresDatabase();
  try {
    const bare = await startChild(BARE_SERVER, '/bare');
    children.push(bare.child);
    const sample = await startChild(SAMPLE_SERVER, '/token');
    children.push(sample.child);
    service = await startServiceProcess(
      join(dir, 'attune.db'),
      // One user mints thousands of tokens here; none is joined, so the session limit never bites.
      { MAX_SESSIONS_PER_USER: '100000000' },
      options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [],
    );
    const accessToken = await signUp(service.publicUrl);
    onPostgres = await startServiceProcess(join(dir, 'unused.db'), {
      MAX_SESSIONS_PER_USER: '100000000',
      DATABASE_URL: postgres.url,
    });
    const postgresToken = await signUp(onPostgres.publicUrl);

    const common = {
      durationSeconds: options.durationSeconds,
      connections: options.connections,
      method: 'POST' as const,
      headers: { 'content-type': 'application/json' },
      body: '{}',
    };
    const requests: Record<Route, Parameters<typeof runLoad>[0]> = {
      bareHonoJson: { ...common, url: bare.url },
      livekitSample: { ...common, url: sample.url },
      authToken: {
        ...common,
        url: `${service.publicUrl}/auth/token`,
        headers: { ...common.headers, authorization: `Bearer ${accessToken}` },
      },
      authTokenPostgres: {
        ...common,
        url: `${onPostgres.publicUrl}/auth/token`,
        headers: { ...common.headers, authorization: `Bearer ${postgresToken}` },
      },
    };
    for (const route of ROUTES) await runLoad({ ...requests[route], durationSeconds: 2 }); // warm-up
    const pids: Record<Route, number> = {
      bareHonoJson: bare.child.pid!,
      livekitSample: sample.child.pid!,
      authToken: service.pid,
      authTokenPostgres: onPostgres.pid,
    };
    const runs: Record<Route, LoadResult[]> = {
      bareHonoJson: [],
      livekitSample: [],
      authToken: [],
      authTokenPostgres: [],
    };
    const cpuSeconds: Record<Route, number> = {
      bareHonoJson: 0,
      livekitSample: 0,
      authToken: 0,
      authTokenPostgres: 0,
    };
    for (let round = 0; round < options.rounds; round += 1) {
      for (const route of ROUTES) {
        const cpuBefore = cpuSecondsOf(pids[route]);
        const run = await runLoad(requests[route]);
        cpuSeconds[route] += cpuSecondsOf(pids[route]) - cpuBefore;
        if (run.non2xx > 0 || run.errors > 0) {
          throw new Error(
            `${route} answered ${run.non2xx} non-2xx and ${run.errors} errors under load`,
          );
        }
        runs[route].push(run);
      }
    }
    const bareHonoJson = median(runs.bareHonoJson);
    const livekitSample = median(runs.livekitSample);
    const authToken = median(runs.authToken);
    const authTokenPostgres = median(runs.authTokenPostgres);
    const cpuMicrosPerRequest = (route: Route) =>
      Math.round((cpuSeconds[route] * 1e6) / runs[route].reduce((sum, run) => sum + run.total, 0));
    const ratioTo = (r: LoadResult) =>
      Math.round((r.requestsPerSecond / bareHonoJson.requestsPerSecond) * 1000) / 1000;
    return {
      bareHonoJson,
      livekitSample,
      authToken,
      authTokenPostgres,
      runs: Object.fromEntries(
        ROUTES.map((route) => [route, runs[route].map((r) => r.requestsPerSecond)]),
      ),
      cpuMicrosPerRequest: Object.fromEntries(
        ROUTES.map((route) => [route, cpuMicrosPerRequest(route)]),
      ),
      ratio: ratioTo(authToken),
      sampleRatio: ratioTo(livekitSample),
      postgresRatio: ratioTo(authTokenPostgres),
    };
  } finally {
    await service?.stop();
    await onPostgres?.stop();
    await postgres.drop();
    if (postgresServer) {
      postgresServer.stop();
      delete process.env[TEST_POSTGRES_URL_VAR];
    }
    for (const child of children) await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(runs: LoadResult[]): LoadResult {
  const sorted = [...runs].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return sorted[Math.floor(sorted.length / 2)]!;
}
