// Several auth-service replicas behind a proxy, each on a host of its own (network namespaces on a
// bridge): PostgreSQL and Redis on `db`, replicas on r1..r3 (and r4, for the start-up), Debian's
// nginx on `proxy`, round-robin over r1..r3, and a `client` host with many addresses. What one
// process promises must hold across replicas: the per-IP limit and the login throttle count once,
// webhook events give the same durations whichever replica takes them in whatever order, a replica
// killed under load loses no write it acknowledged, and replicas booting together all come up.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type TestRedis,
  signWebhook,
  startTestRedis,
  webhookEvent,
} from '@attune/auth-service/testing';
import { openPostgresDatabase } from '@attune/db';
import {
  type PostgresServer,
  type TestPostgresDatabase,
  createTestPostgresDatabase,
  startPostgresServer,
} from '@attune/db/postgres-server';
import { snapshotPostgresTables } from '@attune/db/testing';
import { HostProcess } from './host-process.ts';
import {
  type HostNetwork,
  addHostAddresses,
  createHostNetwork,
  whyNoNetworkNamespaces,
} from './network-namespaces.ts';
import { type NginxProxy, startNginxProxy } from './nginx-proxy.ts';
import type { Answer, RequestPlan } from './request-client.ts';
import {
  EVENTS_PER_SESSION,
  type IssuedSession,
  REDELIVERIES_PER_SESSION,
  type SessionEvents,
  sessionEvents,
  shuffled,
} from './session-events.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const FROM_SOURCES = ['--conditions=@attune/source', '--import', 'tsx'];
const JWT_SECRET = 'multi-replica-jwt-secret-of-enough-length';
const AGENT_API_SECRET = 'multi-replica-agent-secret-of-enough-length';
const LIVEKIT = { key: 'multi-replica-key', secret: 'multi-replica-livekit-secret-of-32-chars' };
const PASSWORD = 'correct horse battery';
/** Small enough that a few hundred requests cross it, large enough for the registrations below. */
const AUTH_PER_MINUTE = 50;
const REPLICA_PORT = 8000;
const PROXY_PORT = 8080;
/** The replicas behind the proxy; r4 joins them only for the start-up. */
const REPLICAS = ['r1', 'r2', 'r3'] as const;
const STARTED_AT_ONCE = [...REPLICAS, 'r4'] as const;
/** Client addresses beyond its own: each spends its own per-IP limit. */
const CLIENT_ADDRESSES = 24;
const JSON_HEADERS = { 'content-type': 'application/json' };
/** What a replica logs when Redis does not answer and it counts in its own memory instead. */
const FELL_BACK = 'the shared rate-limit store does not answer';

const unavailable = whyNoNetworkNamespaces();
const title = 'several replicas behind a proxy, on PostgreSQL and Redis';

type ErrorBody = { error: { code: string } };
const errorCode = (answer: Answer) => (JSON.parse(answer.body) as ErrorBody).error.code;
type SignedIn = { user: { id: string }; session_id: string; room_name: string };
type SessionRow = { id: string } & Record<string, unknown>;
const SESSION_FIELDS = ['status', 'sessionStart', 'sessionEnd', 'durationSeconds', 'endReason'];

/** The sign-up request for `email` (every account has the same password). */
const registration = (email: string) => ({
  method: 'POST',
  path: '/auth/register',
  headers: JSON_HEADERS,
  body: JSON.stringify({ email, password: PASSWORD, full_name: email.split('@')[0] }),
});

/** The session a registration answered with. */
function issuedSession(answer: Answer): IssuedSession {
  expect(answer.status, answer.body).toBe(201);
  const body = JSON.parse(answer.body) as SignedIn;
  return { userId: body.user.id, sessionId: body.session_id, roomName: body.room_name };
}

/** Each event of a session signed as livekit-server signs it, redeliveries right after the first. */
async function signedInOrder(session: SessionEvents) {
  const signed = await Promise.all(
    session.events.map(({ id, ...input }) =>
      signWebhook(webhookEvent({ ...input, id }), LIVEKIT.key, LIVEKIT.secret),
    ),
  );
  return signed.flatMap((item, i) => (session.redelivered.includes(i) ? [item, item] : [item]));
}

/** Every row of the PostgreSQL database at `url`. */
async function tablesOf(url: string) {
  const database = await openPostgresDatabase(url, { poolSize: 2 });
  try {
    return await snapshotPostgresTables(database.db);
  } finally {
    await database.close();
  }
}

/** The fields of a session's row the webhooks decide. */
const timelineOf = (row: SessionRow | undefined) =>
  row && Object.fromEntries(SESSION_FIELDS.map((field) => [field, row[field]]));

describe.skipIf(unavailable !== null)(
  unavailable ? `${title} (skipped: ${unavailable})` : title,
  () => {
    let network: HostNetwork;
    let workDir: string;
    let postgres: PostgresServer;
    let redis: TestRedis;
    let proxy: NginxProxy;
    let clientAddresses: string[];
    const processes: HostProcess[] = [];
    const replicas = new Map<string, HostProcess>();
    let plans = 0;
    /** The database the replicas share (its URL is the server's Unix socket, for this process). */
    let shared: TestPostgresDatabase;
    /** How long each of STARTED_AT_ONCE took to answer /ready, started together on it empty. */
    let readyAfterMs: number[] = [];

    /** Every row of the shared database, read through the server's Unix socket. */
    const sharedTables = () => tablesOf(shared.url);
    const hostAddress = (host: string) => network.hosts[host]!.address;
    const replicaUpstream = (host: string) => `${hostAddress(host)}:${REPLICA_PORT}`;

    /** Runs `command` in `host`'s namespace, from the repository, as its process group's leader. */
    function onHost(host: string, command: string[], env: Record<string, string> = {}) {
      const child = spawn('ip', ['netns', 'exec', network.hosts[host]!.namespace, ...command], {
        cwd: REPO,
        env: { PATH: process.env.PATH ?? '', HOME: workDir, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      const running = new HostProcess(child);
      processes.push(running);
      return running;
    }

    /** DATABASE_URL of the database `name` on the db host, as replicas reach it over the network. */
    function databaseEnv(replica: string, name: string): Record<string, string> {
      const url = new URL(postgres.url);
      url.pathname = `/${name}`;
      // Only the development mail outbox lives beside DATABASE_PATH on PostgreSQL.
      const folder = join(workDir, replica);
      mkdirSync(folder);
      return { DATABASE_URL: url.toString(), DATABASE_PATH: join(folder, 'attune.db') };
    }

    /** The auth service from its sources on `host`, as every replica is configured (`env` on top). */
    function startReplica(host: string, env: Record<string, string>): HostProcess {
      const replica = onHost(
        host,
        [process.execPath, ...FROM_SOURCES, 'auth-service/src/server.ts'],
        {
          NODE_ENV: 'development',
          HOST: hostAddress(host),
          PORT: String(REPLICA_PORT),
          INTERNAL_HOST: '127.0.0.1',
          INTERNAL_PORT: '8001',
          JWT_SECRET,
          AGENT_API_SECRET,
          BCRYPT_COST: '4',
          LOG_LEVEL: 'warn',
          LIVEKIT_API_KEY: LIVEKIT.key,
          LIVEKIT_API_SECRET: LIVEKIT.secret,
          // The client's IP comes from the proxy's X-Forwarded-For, and only from the proxy's.
          TRUSTED_PROXIES: hostAddress('proxy'),
          ...redis.env,
          RATE_LIMIT_AUTH_PER_MINUTE: String(AUTH_PER_MINUTE),
          // This 2-core machine is shared: a slow Redis answer must not count in memory instead.
          RATE_LIMIT_STORE_TIMEOUT_MS: '5000',
          ...env,
        },
      );
      replicas.set(host, replica);
      return replica;
    }

    /** Waits until every URL answers 200 (from the client host); how long each took, in ms. */
    async function waitUntilReady(urls: string[], timeoutMs = 45_000): Promise<number[]> {
      const probe = onHost('client', [process.execPath, '-e', readyProbe(urls, timeoutMs)]);
      // A replica that stops meanwhile fails the wait at once, with what it said.
      const stopped = [...replicas.values()].map((replica) => replica.exited.then(() => -1));
      const outcome = await Promise.race([probe.exited, ...stopped]);
      const said = [...replicas].map(([host, replica]) => `${host}: ${replica.output.join('\n')}`);
      expect(outcome, said.join('\n')).toBe(0);
      return JSON.parse(probe.output.find((line) => line.startsWith('['))!) as number[];
    }

    /**
     * Sends the plan's requests from the client host (test/multi-host/request-client.ts) and
     * returns the answers in the plan's order; `during` runs while they are under way.
     */
    async function sendFromClient(
      plan: RequestPlan,
      during?: (client: HostProcess) => Promise<void>,
    ): Promise<Answer[]> {
      plans += 1;
      const planFile = join(workDir, `plan-${plans}.json`);
      const answersFile = join(workDir, `answers-${plans}.json`);
      writeFileSync(planFile, JSON.stringify(plan));
      const client = onHost('client', [
        process.execPath,
        ...FROM_SOURCES,
        'test/multi-host/request-client.ts',
        planFile,
        answersFile,
      ]);
      await during?.(client);
      expect(await client.exited, client.output.join('\n')).toBe(0);
      return JSON.parse(readFileSync(answersFile, 'utf8')) as Answer[];
    }

    /** How many of nginx's log lines since `from` each replica answered. */
    function answeredBy(from: number): Record<string, number> {
      const counts: Record<string, number> = {};
      for (const line of proxy.accessLog().slice(from))
        counts[line.upstream] = (counts[line.upstream] ?? 0) + 1;
      return counts;
    }

    beforeAll(async () => {
      const started = Date.now();
      network = createHostNetwork(['db', 'r1', 'r2', 'r3', 'r4', 'proxy', 'client']);
      clientAddresses = addHostAddresses(network.hosts.client!, CLIENT_ADDRESSES);
      workDir = mkdtempSync(join(tmpdir(), 'attune-replicas-'));
      const db = network.hosts.db!;
      [postgres, redis] = await Promise.all([
        startPostgresServer({ listenAddress: db.address, networkNamespace: db.namespace }),
        // Off loopback Redis refuses clients without a password (protected mode), as it should.
        startTestRedis({
          host: { networkNamespace: db.namespace, address: db.address },
          password: 'multi-replica-redis-password',
        }),
      ]);
      proxy = await startNginxProxy({
        namespace: network.hosts.proxy!.namespace,
        listen: `${hostAddress('proxy')}:${PROXY_PORT}`,
        replicas: REPLICAS.map(replicaUpstream),
      });
      shared = await createTestPostgresDatabase(postgres.socketUrl);
      // Four replicas at once on the empty database: each migrates it, one at a time (the
      // advisory lock); the start-up test below checks they all came up.
      for (const host of STARTED_AT_ONCE) startReplica(host, databaseEnv(host, shared.name));
      readyAfterMs = await waitUntilReady(
        STARTED_AT_ONCE.map((host) => `http://${replicaUpstream(host)}/ready`),
      );
      console.log(
        `multi-replica set-up: ${Date.now() - started} ms (replicas ready after ${readyAfterMs.join(', ')} ms)`,
      );
    }, 90_000);

    afterEach(() => {
      // Every count went to Redis: a fallback would let each replica allow the whole limit.
      for (const [host, replica] of replicas)
        expect(
          replica.output.filter((line) => line.includes(FELL_BACK)),
          host,
        ).toEqual([]);
    });

    afterAll(async () => {
      for (const running of processes) running.stop('SIGKILL');
      await Promise.all(processes.map((running) => running.exited));
      await proxy?.close();
      await redis?.close();
      postgres?.stop();
      network?.destroy();
      if (workDir) rmSync(workDir, { recursive: true, force: true });
    });

    it('starts four replicas at once on an empty database, every one ready', async () => {
      // beforeAll started them together and waited for each /ready (a crash would end it).
      expect(readyAfterMs).toHaveLength(STARTED_AT_ONCE.length);
      for (const host of STARTED_AT_ONCE) expect(replicas.get(host)!.child.exitCode).toBeNull();
      // One schema, migrated once: the tables are there and empty.
      const tables = await sharedTables();
      expect(tables.users).toEqual([]);
      // r4 is not behind the proxy: it stops as a replica taken out of service does.
      const r4 = replicas.get('r4')!;
      replicas.delete('r4');
      r4.stop('SIGTERM');
      expect(await r4.exited, r4.output.join('\n')).toBe(0);
    });

    it('lets exactly the per-IP limit of 300 logins from one client through, on every replica', async () => {
      const started = Date.now();
      const from = clientAddresses[0]!;
      const logged = proxy.accessLog().length;
      // A new unknown address each time: the login throttle (per account and IP) never answers.
      const answers = await sendFromClient({
        baseUrl: proxy.url,
        concurrency: 10,
        requests: Array.from({ length: 300 }, (_, i) => ({
          method: 'POST',
          path: '/auth/login',
          headers: JSON_HEADERS,
          body: JSON.stringify({ email: `nobody-${i}@example.org`, password: 'not the password' }),
          from,
        })),
      });
      const elapsedMs = Date.now() - started;
      // All within one window of the limit (a minute), or a new window would rightly let more in.
      expect(elapsedMs).toBeLessThan(60_000);
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.filter((status) => status !== 429)).toHaveLength(AUTH_PER_MINUTE);
      expect(new Set(statuses)).toEqual(new Set([401, 429]));
      const refusals = answers.filter((answer) => answer.status === 429);
      expect(new Set(refusals.map(errorCode))).toEqual(new Set(['rate_limited']));
      // Every replica answered a share: one count across them, not one each.
      const served = answeredBy(logged);
      expect(Object.keys(served).sort()).toEqual(REPLICAS.map(replicaUpstream).sort());
      console.log(
        `300 logins through the proxy: ${elapsedMs} ms, by replica ${JSON.stringify(served)}`,
      );
    });

    it('throttles a sixth login after five wrong passwords, whichever replica answers', async () => {
      const email = 'throttled@example.org';
      const login = (password: string) => ({
        method: 'POST',
        path: '/auth/login',
        headers: JSON_HEADERS,
        body: JSON.stringify({ email, password }),
        from: clientAddresses[2]!,
      });
      const logged = proxy.accessLog().length;
      // One at a time, so nginx's round-robin spreads them over the replicas in turn.
      const answers = await sendFromClient({
        baseUrl: proxy.url,
        concurrency: 1,
        requests: [
          { ...registration(email), from: clientAddresses[1]! },
          ...Array.from({ length: 5 }, (_, i) => login(`wrong password ${i}`)),
          ...Array.from({ length: 3 }, () => login(PASSWORD)),
        ],
      });
      const [registered, ...logins] = answers;
      expect(registered!.status, registered!.body).toBe(201);
      const failures = logins.slice(0, 5);
      const refusals = logins.slice(5);
      expect(failures.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 401]);
      expect(failures.map(errorCode)).toEqual(Array(5).fill('invalid_credentials'));
      // The right password now, from each replica in turn: the pair is blocked on all of them.
      expect(refusals.map((answer) => answer.status)).toEqual([429, 429, 429]);
      expect(refusals.map(errorCode)).toEqual(Array(3).fill('login_throttled'));
      const upstreams = proxy
        .accessLog()
        .slice(logged + 1)
        .map((line) => line.upstream);
      expect(new Set(upstreams.slice(0, 5)).size).toBeGreaterThan(1);
      expect(new Set(upstreams.slice(5))).toEqual(new Set(REPLICAS.map(replicaUpstream)));
    });

    it('gives 10,000 shuffled webhook events across replicas the durations of the in-order run on one', async () => {
      const started = Date.now();
      const SESSIONS = 200;
      expect(SESSIONS * EVENTS_PER_SESSION).toBe(10_000);
      // The single replica: r4 again, on a fresh database of its own, reached without the proxy.
      const fresh = await createTestPostgresDatabase(postgres.socketUrl);
      const single = startReplica('r4', {
        ...databaseEnv('r4-single', fresh.name),
        // Out of the shared counts: its sign-ups come straight from the client's addresses.
        RATE_LIMIT_ENABLED: 'false',
      });
      const singleUrl = `http://${replicaUpstream('r4')}`;
      try {
        // One session per registration on each side (five client addresses: the auth limit).
        const [viaProxy, direct] = await Promise.all([
          sendFromClient({
            baseUrl: proxy.url,
            concurrency: 8,
            requests: Array.from({ length: SESSIONS }, (_, i) => ({
              ...registration(`replicated-${i}@example.org`),
              from: clientAddresses[3 + (i % 5)]!,
            })),
          }),
          waitUntilReady([`${singleUrl}/ready`]).then(() =>
            sendFromClient({
              baseUrl: singleUrl,
              concurrency: 8,
              requests: Array.from({ length: SESSIONS }, (_, i) =>
                registration(`single-${i}@example.org`),
              ),
            }),
          ),
        ]);
        const registered = Date.now();
        const replicated = viaProxy.map(issuedSession).map(sessionEvents);
        const inOrder = direct.map(issuedSession).map(sessionEvents);
        const signedReplicated = (await Promise.all(replicated.map(signedInOrder))).flat();
        const signedInOrderChains = await Promise.all(inOrder.map(signedInOrder));
        expect(signedReplicated).toHaveLength(10_000);
        const prepared = Date.now();

        const webhook = (
          { body, headers }: { body: string; headers: Record<string, string> },
          chain?: string,
        ) => ({
          method: 'POST',
          path: '/livekit/webhook',
          headers,
          body,
          ...(chain === undefined ? {} : { chain }),
        });
        const [spread, ordered] = await Promise.all([
          sendFromClient({
            baseUrl: proxy.url,
            concurrency: 32,
            progressEvery: 1_000,
            requests: shuffled(signedReplicated, 12).map((item) => webhook(item)),
          }),
          // Each session's events strictly in order, one after another; sessions side by side.
          sendFromClient({
            baseUrl: singleUrl,
            concurrency: 32,
            progressEvery: 1_000,
            requests: signedInOrderChains.flatMap((chain, i) =>
              chain.map((item) => webhook(item, `session-${i}`)),
            ),
          }),
        ]);
        const posted = Date.now();

        for (const run of [spread, ordered]) {
          expect(run.filter((answer) => answer.status !== 200)).toEqual([]);
          const outcomes = run.map(
            (answer) => (JSON.parse(answer.body) as { outcome: string }).outcome,
          );
          // Each redelivery is recognised once, even when it races its first delivery.
          expect(outcomes.filter((outcome) => outcome === 'duplicate')).toHaveLength(
            SESSIONS * REDELIVERIES_PER_SESSION,
          );
        }

        const rowsOf = async (url: string) =>
          new Map(
            ((await tablesOf(url)).user_sessions as SessionRow[]).map((row) => [row.id, row]),
          );
        const [replicatedRows, singleRows] = await Promise.all([
          rowsOf(shared.url),
          rowsOf(fresh.url),
        ]);
        const viaReplicas = viaProxy.map((answer) =>
          timelineOf(replicatedRows.get(issuedSession(answer).sessionId)),
        );
        const onOne = direct.map((answer) =>
          timelineOf(singleRows.get(issuedSession(answer).sessionId)),
        );
        // The in-order run is right (start at the first join, end at the last leave)…
        expect(onOne).toEqual(inOrder.map((session) => session.expected));
        // …and the shuffled run across replicas says exactly the same.
        expect(viaReplicas).toEqual(onOne);
        console.log(
          `10,000 webhook events: sessions ${registered - started} ms, signing ${prepared - registered} ms, posting both runs side by side ${posted - prepared} ms`,
        );
      } finally {
        replicas.delete('r4');
        single.stop('SIGTERM');
        await single.exited;
        await fresh.drop();
      }
    }, 120_000);

    it('loses no acknowledged write when a replica is killed under load', async () => {
      const started = Date.now();
      const REGISTRATIONS = 480;
      const KILL_AFTER = 120;
      const emails = Array.from({ length: REGISTRATIONS }, (_, i) => `loaded-${i}@example.org`);
      const victim = replicas.get('r2')!;
      const logged = proxy.accessLog().length;
      let killedAtAnswer = 0;
      const answers = await sendFromClient(
        {
          baseUrl: proxy.url,
          concurrency: 12,
          progressEvery: 20,
          // Twelve client addresses: 40 sign-ups each stay within the auth limit.
          requests: emails.map((email, i) => ({
            ...registration(email),
            from: clientAddresses[8 + (i % 12)]!,
          })),
        },
        async (client) => {
          const progress = await client.line(
            (line) =>
              line.includes('"phase":"progress"') &&
              (JSON.parse(line) as { done: number }).done >= KILL_AFTER,
          );
          killedAtAnswer = (JSON.parse(progress) as { done: number }).done;
          victim.stop('SIGKILL');
        },
      );
      expect(await victim.exited).toBeNull();
      expect(victim.child.signalCode).toBe('SIGKILL');
      replicas.delete('r2');

      const acknowledged = emails.filter((_, i) => answers[i]!.status === 201);
      const failed = answers.filter((answer) => answer.status !== 201);
      // Only requests in flight on the killed replica failed: nginx answered them 502 and did not
      // resend them elsewhere (a POST it sent), so at most the 12 in flight at once; everything
      // after went to the other two.
      expect(new Set(failed.map((answer) => answer.status))).toEqual(
        new Set(failed.length > 0 ? [502] : []),
      );
      expect(failed.length).toBeLessThanOrEqual(12);
      const proxied = proxy.accessLog().slice(logged);
      const refusedBy = proxied.filter((line) => line.status !== 201).map((line) => line.upstream);
      expect(new Set(refusedBy)).toEqual(new Set(failed.length > 0 ? [replicaUpstream('r2')] : []));
      expect(acknowledged.length).toBeGreaterThan(killedAtAnswer);
      // The killed replica had been taking sign-ups until then.
      const acknowledgedByVictim = proxied.filter(
        (line) => line.status === 201 && line.upstream === replicaUpstream('r2'),
      );
      expect(acknowledgedByVictim.length).toBeGreaterThan(0);

      const stored = new Set(
        ((await sharedTables()).users as { email: string }[]).map((user) => user.email),
      );
      expect(acknowledged.filter((email) => !stored.has(email))).toEqual([]);
      console.log(
        `kill -9 under load: ${Date.now() - started} ms, ${acknowledged.length} acknowledged, ${failed.length} failed (in flight), killed after ${killedAtAnswer} answers`,
      );
    }, 60_000);
  },
);

/**
 * A script for `node -e` that waits (up to `timeoutMs`) until every URL answers 200, prints how
 * many ms each took as a JSON array and exits 0, or exits 1.
 */
function readyProbe(urls: string[], timeoutMs: number): string {
  return `
const started = Date.now();
const ready = async (url) => {
  while (Date.now() - started < ${timeoutMs}) {
    try { if ((await fetch(url)).ok) return Date.now() - started; } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  process.exit(1);
};
Promise.all(${JSON.stringify(urls)}.map(ready)).then((ms) => console.log(JSON.stringify(ms)));`;
}
