import { loadOrCreateDevJwtSecret } from './jwt-secret.ts';
import { parseEnv, type Env } from './env.ts';

/** The validated configuration the service runs on; read once at start and passed down. */
export interface Config {
  nodeEnv: Env['NODE_ENV'];
  port: number;
  host: string;
  databasePath: string;
  jwtSecret: string;
  livekit: { url: string; apiKey: string; apiSecret: string; agentName: string; tokenTtlMs: number };
  bcryptCost: number;
  accessTokenTtlMs: number;
  refreshTokenTtlMs: number;
  bodyLimitBytes: number;
  sessions: {
    /** How often the sweep expires unused tokens and closes sessions no webhook ended. */
    sweepIntervalMs: number;
    /** A session LiveKit never reported leaving is closed this long after its latest join. */
    maxSessionMs: number;
  };
  /** Browser origins other than the service's own that may call the API (LiveKit frontends). */
  corsOrigins: string[];
  logLevel: Env['LOG_LEVEL'];
}

export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const env = parseEnv(source);
  return {
    nodeEnv: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    databasePath: env.DATABASE_PATH,
    jwtSecret: env.JWT_SECRET ?? loadOrCreateDevJwtSecret(env.DATABASE_PATH),
    livekit: {
      url: env.LIVEKIT_URL,
      apiKey: env.LIVEKIT_API_KEY,
      apiSecret: env.LIVEKIT_API_SECRET,
      agentName: env.AGENT_NAME,
      tokenTtlMs: env.LIVEKIT_TOKEN_TTL_SECONDS * 1000,
    },
    bcryptCost: env.BCRYPT_COST,
    accessTokenTtlMs: env.ACCESS_TOKEN_TTL_SECONDS * 1000,
    refreshTokenTtlMs: env.REFRESH_TOKEN_TTL_DAYS * 24 * 60 * 60 * 1000,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    sessions: { sweepIntervalMs: env.SESSION_SWEEP_INTERVAL_SECONDS * 1000, maxSessionMs: env.SESSION_MAX_SECONDS * 1000 },
    corsOrigins: env.CORS_ORIGINS,
    logLevel: env.LOG_LEVEL,
  };
}
