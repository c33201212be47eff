import type { Logger } from 'pino';
import { type AttuneDatabase, openDatabase, openStore, sqliteStore } from '@attune/db';
import { createAgentCredentials } from './agent-api/agent-credentials.ts';
import { createReportRunner, createStoreReportRunner } from './analytics/report-runner.ts';
import { createBackgroundTasks } from './background/background-tasks.ts';
import type { Config } from './config/config.ts';
import type { AppDeps } from './deps.ts';
import { createRequestCounterStore } from './http/request-counter-store.ts';
import { createMailer } from './mail/create-mailer.ts';
import type { Mailer } from './mail/mailer.ts';
import { createMetrics } from './ops/metrics.ts';
import { createPasswordHasher } from './passwords/password-hasher.ts';
import { createAppJwt } from './tokens/app-jwt.ts';

export interface AppServices extends AppDeps {
  /** The SQLite file's handle when the service runs on it (tests seed rows through it); none on PostgreSQL. */
  sqlite: AttuneDatabase | null;
  /**
   * Lets background tasks finish, stops the password and report workers, closes the rate-limit
   * store's connection and the database.
   */
  close(): Promise<void>;
}

/**
 * Everything `createApp` and `createAgentApi` need, built from the configuration: the migrated
 * database, the password worker pool, the JWT signer, the agent API's credentials, the rate-limit
 * store (Redis with REDIS_URL) and the mailer (from the mail settings unless one is passed). The server entry, the test server and the benchmark
 * all start from here. Throws if the database cannot be opened.
 */
export async function openServices(
  config: Config,
  logger: Logger,
  now: () => number = Date.now,
  mailer: Mailer = createMailer(config.mail, logger),
): Promise<AppServices> {
  const sqlite =
    config.database.engine === 'sqlite'
      ? openDatabase(config.database.path, {
          // Copying the write-ahead log into the database file happens on a worker thread, so a
          // commit that crosses the checkpoint threshold does not hold every request waiting on it.
          backgroundCheckpoint: {
            onFailure: (message) =>
              logger.warn(
                { reason: message },
                'background WAL checkpoints stopped; commits checkpoint',
              ),
          },
        })
      : null;
  // PostgreSQL: a pool of DATABASE_POOL_SIZE connections, migrated under the migration lock.
  const store = sqlite ? sqliteStore(sqlite) : await openStore(config.database);
  const passwords = createPasswordHasher(config.bcryptCost);
  const appJwt = await createAppJwt(config.jwtSecret, config.accessTokenTtlMs);
  // On SQLite a worker thread reads the file; on PostgreSQL the server does the scanning.
  const reports = sqlite
    ? createReportRunner(sqlite.path)
    : createStoreReportRunner(store.analytics);
  const tasks = createBackgroundTasks(logger);
  // With rate limits off nothing counts, so no Redis connection is opened.
  const requestCounters = config.rateLimit
    ? await createRequestCounterStore(config.rateLimit, { logger, now })
    : null;
  const agentCredentials = await createAgentCredentials({
    agentSecret: config.agentApi.secret,
    jwtSecret: config.jwtSecret,
    ttlMs: config.agentApi.credentialTtlMs,
  });
  return {
    config,
    sqlite,
    store,
    passwords,
    appJwt,
    agentCredentials,
    metrics: createMetrics(store.admin),
    logger,
    mailer,
    now,
    requestCounters,
    reports,
    tasks,
    async close() {
      // Mails queued by the last requests go out before the mailer and the database close.
      await tasks.idle();
      await Promise.all([
        passwords.close(),
        reports.close(),
        mailer.close(),
        requestCounters?.close(),
      ]);
      await store.close();
    },
  };
}
