import { serve } from '@hono/node-server';
import { ZodError } from 'zod';
import { ensureAdmin } from './admin/ensure-admin.ts';
import { createAgentApi } from './agent-api.ts';
import { createApp } from './app.ts';
import { type Config, loadConfig } from './config/config.ts';
import { describeDatabase } from './config/database-settings.ts';
import { ConfigError } from './config/env.ts';
import { smtpUrlWithoutCredentials } from './config/mail-settings.ts';
import { answerClientErrorsAsJson } from './http/client-error.ts';
import { startSessionSweep, sweepOptionsOf } from './livekit/session-sweep.ts';
import { createLogger } from './logger.ts';
import { type AppServices, openServices } from './services.ts';
import { isWebClientBuilt } from './web/web-client.ts';

/** Stops start-up with one plain sentence on stderr: what went wrong and what to set. */
function refuseToStart(message: string): never {
  console.error(`attune auth-service: ${message}`);
  process.exit(1);
}

let config: Config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) refuseToStart(error.message);
  refuseToStart(`cannot read the configuration: ${(error as Error).message}`);
}

const logger = createLogger(config.logLevel);
let services: AppServices;
try {
  services = await openServices(config, logger);
} catch (error) {
  const reason = (error as Error).message;
  refuseToStart(
    config.database.engine === 'postgres'
      ? `cannot open the PostgreSQL database at ${describeDatabase(config.database)}: ${reason}. Check DATABASE_URL, and that the server lets this host in (pg_hba.conf).`
      : `cannot open the database at ${config.databasePath}: ${reason}. Set DATABASE_PATH to a file in a writable folder.`,
  );
}
if (config.bootstrapAdmin) {
  try {
    const { outcome, user } = await ensureAdmin(services, {
      ...config.bootstrapAdmin,
      fullName: 'Administrator',
      promoteExisting: false,
    });
    if (outcome === 'exists_not_admin') {
      logger.warn(
        { userId: user.id },
        'ADMIN_EMAIL belongs to an existing account that is not an admin; it was not promoted (use `pnpm admin create --email …`)',
      );
    } else if (outcome === 'created') {
      logger.info({ userId: user.id }, 'created the admin from ADMIN_EMAIL');
    }
  } catch (error) {
    if (error instanceof ZodError)
      refuseToStart(
        `ADMIN_EMAIL or ADMIN_PASSWORD is not valid: ${error.issues.map((i) => i.message).join('; ')}`,
      );
    throw error;
  }
}
if (!isWebClientBuilt(config.webClientDir)) {
  logger.warn(
    { webClientDir: config.webClientDir },
    'the web client is not built, so / has no page; run `pnpm --filter @attune/web-client build` (`pnpm start` builds it when needed)',
  );
}
const app = createApp(services);
const sweep = startSessionSweep(services, {
  intervalMs: config.sessions.sweepIntervalMs,
  ...sweepOptionsOf(config),
});

/** Listens on HOST:PORT or INTERNAL_HOST:INTERNAL_PORT, and says plainly why it cannot. */
function listen(
  name: string,
  fetch: typeof app.fetch,
  where: { host: string; port: number; setting: string },
  fields: Record<string, unknown>,
) {
  const server = serve({ fetch, hostname: where.host, port: where.port }, (info) => {
    const host = info.address.includes(':') ? `[${info.address}]` : info.address;
    logger.info({ url: `http://${host}:${info.port}`, ...fields }, `${name} listening`);
  });
  answerClientErrorsAsJson(server);
  server.on('error', (error: NodeJS.ErrnoException) => {
    const at = `${where.host}:${where.port}`;
    if (error.code === 'EADDRINUSE')
      refuseToStart(`port ${at} is already in use; stop the other process or set ${where.setting}`);
    if (error.code === 'EACCES')
      refuseToStart(`not allowed to listen on ${at}; set ${where.setting} above 1024`);
    refuseToStart(`cannot listen on ${at}: ${error.message}`);
  });
  return server;
}

const server = listen(
  'auth-service',
  app.fetch,
  { host: config.host, port: config.port, setting: 'PORT' },
  {
    // The file, or PostgreSQL's address without its password.
    database: describeDatabase(config.database),
    livekitUrl: config.livekit.url,
    agentName: config.livekit.agentName,
    env: config.nodeEnv,
    publicUrl: config.publicUrl,
    // Where rate limits count (`memory`, `redis`) or `off`; Redis's own line names its address.
    rateLimits: services.requestCounters?.kind ?? 'off',
    // Where mail goes, never the SMTP credentials.
    mail: config.mail.smtpUrl
      ? smtpUrlWithoutCredentials(config.mail.smtpUrl)
      : `development outbox ${config.mail.outboxDir}`,
  },
);
// The internal agent API on its own listener: agents reach it, browsers never do.
const internalServer = listen(
  'internal agent API',
  createAgentApi(services).fetch,
  { host: config.agentApi.host, port: config.agentApi.port, setting: 'INTERNAL_PORT' },
  { path: '/agent/v1/' },
);

/**
 * Once the last request is answered: stops the sweep, closes the services (the database, the
 * workers and the rate-limit store's Redis connection) and exits.
 */
async function stopServices(): Promise<void> {
  await sweep.stop();
  await services.close();
  logger.info('stopped');
  process.exit(0);
}

let stopping = false;
function shutdown(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  const forceExit = setTimeout(() => {
    logger.error('shutdown took longer than 10 s; exiting');
    process.exit(1);
  }, 10_000);
  forceExit.unref();
  const closing = [server, internalServer].map(
    (listener) =>
      new Promise<void>((resolve) => {
        listener.close(() => resolve());
        if ('closeIdleConnections' in listener) listener.closeIdleConnections();
      }),
  );
  Promise.all(closing)
    .then(stopServices)
    .catch((error: unknown) => {
      logger.error({ err: error }, 'shutdown failed; exiting');
      process.exit(1);
    });
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
