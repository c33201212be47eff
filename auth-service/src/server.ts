import { openDatabase } from '@attune/db';
import { serve } from '@hono/node-server';
import { createApp } from './app.ts';
import { loadConfig, type Config } from './config/config.ts';
import { ConfigError } from './config/env.ts';
import { createLogger } from './logger.ts';
import { createPasswordHasher } from './passwords/password-hasher.ts';
import { createAppJwt } from './tokens/app-jwt.ts';

let config: Config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`attune auth-service: ${error.message}`);
    process.exit(1);
  }
  throw error;
}

const logger = createLogger(config.logLevel);
const database = openDatabase(config.databasePath);
const passwords = createPasswordHasher(config.bcryptCost);
const appJwt = await createAppJwt(config.jwtSecret, config.accessTokenTtlMs);
const app = createApp({ config, database, passwords, appJwt, logger, now: Date.now });

const server = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, (info) => {
  logger.info(
    { url: `http://${info.address.includes(':') ? `[${info.address}]` : info.address}:${info.port}`, database: database.path, livekitUrl: config.livekit.url, agentName: config.livekit.agentName, env: config.nodeEnv },
    'auth-service listening',
  );
});

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
  server.close(async () => {
    await passwords.close();
    database.close();
    logger.info('stopped');
    process.exit(0);
  });
  if ('closeIdleConnections' in server) server.closeIdleConnections();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
