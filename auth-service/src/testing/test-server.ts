import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type ServerType, serve } from '@hono/node-server';
import type { AttuneDatabase, AttuneStore } from '@attune/db';
import { createTestPostgresDatabase } from '@attune/db/postgres-server';
import { createAgentApi } from '../agent-api.ts';
import { createApp } from '../app.ts';
import { type Config, loadConfig } from '../config/config.ts';
import { answerClientErrorsAsJson } from '../http/client-error.ts';
import { type RouteDeclaration, declarationOf } from '../http/route-policy.ts';
import { createLogger } from '../logger.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { PasswordHasher } from '../passwords/password-hasher.ts';
import { openServices } from '../services.ts';

export const TEST_JWT_SECRET = 'test-jwt-secret-that-is-long-enough-for-hs256';
export const TEST_AGENT_API_SECRET = 'test-agent-api-secret-that-is-long-enough';

export interface TestServer {
  baseUrl: string;
  /** The internal agent API's own listener (what INTERNAL_HOST:INTERNAL_PORT serve). */
  internalUrl: string;
  /** Closes the internal agent API's listener and its connections, as if the service were down. */
  stopAgentApi(): Promise<void>;
  /** Listens again on the same port. */
  startAgentApi(): Promise<void>;
  config: Config;
  /** The engine the service runs on: ATTUNE_TEST_ENGINE (`sqlite`, the default, or `postgres`). */
  engine: 'sqlite' | 'postgres';
  /** The service's store, on either engine: seed and inspect data through it where possible. */
  store: AttuneStore;
  /**
   * The SQLite file's handle, for tests that seed or inspect rows through SQLite queries. On
   * PostgreSQL reading it throws: such a test runs on SQLite only (see test/engines.ts).
   */
  database: AttuneDatabase;
  /** The mailer the app got (`options.mailer`, else SMTP_URL's, else the outbox in the temp folder). */
  mailer: Mailer;
  /** Resolves once the work the service does after answering (mails it queued) has settled. */
  settled(): Promise<void>;
  /** Every log line the service wrote, as raw JSON text. */
  logs: string[];
  /**
   * The app's route table (method and path pattern of every handler and middleware); a route's
   * policy middleware carries its declaration.
   */
  routes: { method: string; path: string; declaration?: RouteDeclaration }[];
  /** Moves the service's clock (milliseconds added to real time). */
  advanceClock(ms: number): void;
  /**
   * Stops the service's clock at the present moment (advanceClock still moves it), for tests that
   * assert exact seconds: a busy machine must not move the time between two requests.
   */
  freezeClock(): void;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Stops the server and removes its temp folder (never a DATABASE_PATH passed in). */
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** Wraps the real password hasher, e.g. to observe calls. */
  wrapPasswords?: (real: PasswordHasher) => PasswordHasher;
  /**
   * Replaces the mailer the config would build. Without it mail goes where the env says: pass
   * `SMTP_URL: sink.url` of `startSmtpSink()` to receive it, else it lands in `config.mail.outboxDir`.
   */
  mailer?: Mailer;
}

/** The engine test servers run on: `ATTUNE_TEST_ENGINE=postgres` (a vitest project sets it), else SQLite. */
export function testEngine(): 'sqlite' | 'postgres' {
  return process.env.ATTUNE_TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite';
}

/**
 * The real app on a real HTTP server on 127.0.0.1 with a real SQLite file in a fresh temp
 * folder. bcrypt cost defaults to 4 to keep suites quick; pass BCRYPT_COST to test real costs.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  options: TestServerOptions = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'attune-test-'));
  const engine = testEngine();
  // A database of its own on the test PostgreSQL server, dropped when the server closes.
  const postgres = engine === 'postgres' ? await createTestPostgresDatabase() : null;
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_PATH: join(dir, 'attune.db'),
    JWT_SECRET: TEST_JWT_SECRET,
    AGENT_API_SECRET: TEST_AGENT_API_SECRET,
    BCRYPT_COST: '4',
    LOG_LEVEL: 'info',
    // Every test request comes from 127.0.0.1, far faster than people sign in: the limiter stays
    // on (and answers its headers) with room for whole suites; rate-limit tests pass their own.
    RATE_LIMIT_AUTH_PER_MINUTE: '100000',
    RATE_LIMIT_REFRESH_PER_MINUTE: '100000',
    RATE_LIMIT_TOKEN_PER_MINUTE: '100000',
    RATE_LIMIT_GENERAL_PER_MINUTE: '100000',
    // On PostgreSQL the data moves, the rate limits stay where they would on SQLite (memory, or
    // the test's Redis): tests move the service's clock, which only the memory store follows, and
    // the PostgreSQL store has tests of its own.
    ...(postgres
      ? { DATABASE_URL: postgres.url, RATE_LIMIT_STORE: env.REDIS_URL ? 'auto' : 'memory' }
      : {}),
    ...env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  let clockOffsetMs = 0;
  let frozenAtMs: number | null = null;
  const logger = createLogger(config.logLevel, sink);
  const services = await openServices(
    config,
    logger,
    () => (frozenAtMs ?? Date.now()) + clockOffsetMs,
    options.mailer,
  );
  const passwords = options.wrapPasswords
    ? options.wrapPasswords(services.passwords)
    : services.passwords;
  // Strict: a route answering an error code it does not declare fails the test with a 500.
  const app = createApp({ ...services, passwords }, { strictErrorDeclarations: true });

  const server = await listen(app.fetch);
  const agentApi = createAgentApi({ ...services, passwords });
  let internal: ServerType | null = await listen(agentApi.fetch);
  const internalPort = (internal.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const internalUrl = `http://127.0.0.1:${internalPort}`;

  return {
    baseUrl,
    internalUrl,
    async stopAgentApi() {
      if (!internal) return;
      const closing = closeServer(internal);
      if ('closeAllConnections' in internal) internal.closeAllConnections();
      internal = null;
      await closing;
    },
    async startAgentApi() {
      internal ??= await listen(agentApi.fetch, internalPort);
    },
    config,
    engine,
    store: services.store,
    get database(): AttuneDatabase {
      if (!services.sqlite)
        throw new Error(
          'this test reads the SQLite handle (server.database) but the service runs on PostgreSQL: list it in test/engines.ts as SQLite-only, saying why',
        );
      return services.sqlite;
    },
    mailer: services.mailer,
    settled: () => services.tasks.idle(),
    logs,
    routes: app.routes.map(({ method, path, handler }) => ({
      method,
      path,
      declaration: declarationOf(handler),
    })),
    freezeClock() {
      frozenAtMs ??= Date.now();
    },
    advanceClock(ms) {
      clockOffsetMs += ms;
    },
    fetch: (path, init) => fetch(`${baseUrl}${path}`, init),
    async close() {
      await Promise.all([server, ...(internal ? [internal] : [])].map(closeServer));
      await services.close();
      await postgres?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  port = 0,
): Promise<ServerType> {
  return new Promise((resolve) => {
    const server = serve({ fetch, hostname: '127.0.0.1', port }, () => resolve(server));
    // As the server entry does: requests Node's parser refuses get the JSON error shape.
    answerClientErrorsAsJson(server);
  });
}

function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** JSON request helpers over a test server, with an optional bearer token. */
export function jsonPost(
  server: TestServer,
  path: string,
  body: unknown,
  accessToken?: string,
): Promise<Response> {
  return server.fetch(path, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
    },
    body: JSON.stringify(body),
  });
}

export function authedGet(
  server: TestServer,
  path: string,
  accessToken: string,
): Promise<Response> {
  return server.fetch(path, { headers: { authorization: `Bearer ${accessToken}` } });
}

export interface RegisteredUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  body: Record<string, unknown>;
}

let userCounter = 0;

/** Registers a fresh user through the API and returns its credentials. */
export async function registerUser(
  server: TestServer,
  overrides: { email?: string; password?: string; full_name?: string } = {},
): Promise<RegisteredUser> {
  userCounter += 1;
  const email = overrides.email ?? `user${userCounter}-${Date.now()}@example.org`;
  const password = overrides.password ?? 'a good password';
  const response = await jsonPost(server, '/auth/register', {
    email,
    password,
    full_name: overrides.full_name ?? `User ${userCounter}`,
  });
  if (response.status !== 201)
    throw new Error(`register failed: ${response.status} ${await response.text()}`);
  // Sign-up mails a verification link after answering; let that settle so callers see a quiet database.
  await server.settled();
  const body = (await response.json()) as Record<string, unknown> & {
    access_token: string;
    refresh_token: string;
    user: { id: string };
  };
  return {
    id: body.user.id,
    email,
    password,
    accessToken: body.access_token,
    refreshToken: body.refresh_token,
    body,
  };
}
