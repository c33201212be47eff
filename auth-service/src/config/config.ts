import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LoginThrottlePolicy, databasePathProblem } from '@attune/db';
import type { RateLimitConfig, RequestCounterStoreConfig } from '../http/rate-limit.ts';
import type { DatabaseSettings } from './database-settings.ts';
import {
  DEV_AGENT_API_SECRET_FILE,
  DEV_JWT_SECRET_FILE,
  loadOrCreateDevSecret,
} from './dev-secret.ts';
import { ConfigError, type Env, parseEnv } from './env.ts';
import { defaultPublicUrl } from './mail-settings.ts';

/** The validated configuration the service runs on; read once at start and passed down. */
export interface Config {
  nodeEnv: Env['NODE_ENV'];
  port: number;
  host: string;
  /** The SQLite file; also where development secrets and the mail outbox live beside it. */
  databasePath: string;
  /** Where the data lives: the SQLite file at `databasePath`, or PostgreSQL (DATABASE_URL). */
  database: DatabaseSettings;
  jwtSecret: string;
  /** The internal agent API: its listener and what it gives agents. */
  agentApi: {
    port: number;
    host: string;
    /** What agent workers present to resolve participants (AGENT_API_SECRET). */
    secret: string;
    historyMaxTurns: number;
    historyMaxChars: number;
    /** How long after a session ended its agent may still store turns and the end. */
    sessionGraceMs: number;
    /** A session credential outlives the longest session plus the grace. */
    credentialTtlMs: number;
  };
  livekit: {
    /** Where the service itself reaches LiveKit (RoomServiceClient). */
    url: string;
    /** The URL handed to clients with their tokens (LIVEKIT_PUBLIC_URL, else LIVEKIT_URL). */
    publicUrl: string;
    apiKey: string;
    apiSecret: string;
    agentName: string;
    tokenTtlMs: number;
    /** How long one server-API call (listing rooms, removing a participant) may take (LIVEKIT_API_TIMEOUT_SECONDS). */
    apiTimeoutMs: number;
  };
  bcryptCost: number;
  accessTokenTtlMs: number;
  refreshTokenTtlMs: number;
  bodyLimitBytes: number;
  /** Sessions in progress (joined, not ended) one user may have; more tokens get a 409 (the agent also refuses joins past it). */
  maxSessionsPerUser: number;
  /** Preference keys one user may keep (the agent enforces the same limit). */
  maxPreferencesPerUser: number;
  guests: { enabled: boolean; ttlMs: number; maxSessions: number };
  /** Who may create an account (REGISTRATION, MAX_USERS; see auth/registration.ts). */
  registration: RegistrationConfig;
  /** REQUIRE_EMAIL_VERIFICATION: unverified accounts mint no room tokens. */
  requireEmailVerification: boolean;
  /** Creates this admin at start if no user has the email yet (both must be set). */
  bootstrapAdmin: { email: string; password: string } | null;
  /** Bearer token /metrics requires; /metrics is off when unset. */
  metricsToken: string | null;
  sessions: {
    /** How often the sweep expires unused tokens and closes sessions no webhook ended. */
    sweepIntervalMs: number;
    /** A session LiveKit never reported leaving is closed this long after its latest join. */
    maxSessionMs: number;
  };
  /** Browser origins other than the service's own that may call the API (LiveKit frontends). */
  corsOrigins: string[];
  /** Reverse proxies (IPs / CIDR networks) whose X-Forwarded-For decides the client IP. */
  trustedProxies: string[];
  /**
   * Request limits per client IP and per user, counted in memory or, with REDIS_URL, in Redis
   * shared by the replicas; `null` when RATE_LIMIT_ENABLED=false.
   */
  rateLimit: RateLimitConfig | null;
  /** The login throttle: per account and client IP, and account-wide (see auth/lockout.ts). */
  lockout: LoginThrottlePolicy;
  logLevel: Env['LOG_LEVEL'];
  /** The built web client served at `/`. */
  webClientDir: string;
  /** Whether the browser's refresh cookie carries `Secure` (https only). */
  cookieSecure: boolean;
  /** Where people reach the service (PUBLIC_URL, no trailing slash); links in mails start with it. */
  publicUrl: string;
  mail: MailConfig;
}

export interface RegistrationConfig {
  /** `open`: anyone signs up; `invite`: only with an invitation; `closed`: nobody signs up themselves. */
  mode: 'open' | 'invite' | 'closed';
  /** Most non-guest accounts; `null`: no limit. */
  maxUsers: number | null;
}

/** How mail leaves the service (see mail/create-mailer.ts). */
export interface MailConfig {
  /** The From of every mail (MAIL_FROM). */
  from: string;
  /** SMTP_URL; it may hold a password, so it is never logged (the logger redacts `smtpUrl`). */
  smtpUrl: string | null;
  /** Without SMTP_URL (never in production) each mail is written here as .eml and .txt files. */
  outboxDir: string;
}

/**
 * Where rate limits count (RATE_LIMIT_STORE): `auto` picks Redis, else the PostgreSQL database,
 * else memory; an explicit store must have its URL.
 */
function rateLimitStore(env: Env): RequestCounterStoreConfig {
  const kind =
    env.RATE_LIMIT_STORE !== 'auto'
      ? env.RATE_LIMIT_STORE
      : env.REDIS_URL
        ? 'redis'
        : env.DATABASE_URL
          ? 'postgres'
          : 'memory';
  if (kind === 'redis') {
    if (!env.REDIS_URL) throw new ConfigError('RATE_LIMIT_STORE=redis needs REDIS_URL');
    return {
      kind,
      redisUrl: env.REDIS_URL,
      keyPrefix: env.REDIS_KEY_PREFIX,
      timeoutMs: env.RATE_LIMIT_STORE_TIMEOUT_MS,
    };
  }
  if (kind === 'postgres') {
    if (!env.DATABASE_URL) throw new ConfigError('RATE_LIMIT_STORE=postgres needs DATABASE_URL');
    return { kind, databaseUrl: env.DATABASE_URL, timeoutMs: env.RATE_LIMIT_STORE_TIMEOUT_MS };
  }
  return { kind: 'memory' };
}

/** web-client/dist of this checkout (the auth service runs from its sources through tsx). */
const DEFAULT_WEB_CLIENT_DIR = fileURLToPath(new URL('../../../web-client/dist', import.meta.url));

export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const env = parseEnv(source);
  // Before the development secrets beside it are read: a path under /proc can block for ever.
  const databaseProblem = databasePathProblem(env.DATABASE_PATH);
  if (databaseProblem)
    throw new ConfigError(
      `DATABASE_PATH: ${databaseProblem}; set it to a file in a writable folder (default ./data/attune.db)`,
    );
  return {
    nodeEnv: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    databasePath: env.DATABASE_PATH,
    database: env.DATABASE_URL
      ? { engine: 'postgres', url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE }
      : { engine: 'sqlite', path: env.DATABASE_PATH },
    jwtSecret: env.JWT_SECRET ?? loadOrCreateDevSecret(env.DATABASE_PATH, DEV_JWT_SECRET_FILE),
    agentApi: {
      port: env.INTERNAL_PORT,
      host: env.INTERNAL_HOST,
      secret:
        env.AGENT_API_SECRET ?? loadOrCreateDevSecret(env.DATABASE_PATH, DEV_AGENT_API_SECRET_FILE),
      historyMaxTurns: env.HISTORY_MAX_TURNS,
      historyMaxChars: env.HISTORY_MAX_CHARS,
      sessionGraceMs: env.AGENT_SESSION_GRACE_SECONDS * 1000,
      credentialTtlMs: (env.SESSION_MAX_SECONDS + env.AGENT_SESSION_GRACE_SECONDS) * 1000,
    },
    livekit: {
      url: env.LIVEKIT_URL,
      publicUrl: env.LIVEKIT_PUBLIC_URL ?? env.LIVEKIT_URL,
      apiKey: env.LIVEKIT_API_KEY,
      apiSecret: env.LIVEKIT_API_SECRET,
      agentName: env.AGENT_NAME,
      tokenTtlMs: env.LIVEKIT_TOKEN_TTL_SECONDS * 1000,
      apiTimeoutMs: Math.round(env.LIVEKIT_API_TIMEOUT_SECONDS * 1000),
    },
    bcryptCost: env.BCRYPT_COST,
    accessTokenTtlMs: env.ACCESS_TOKEN_TTL_SECONDS * 1000,
    refreshTokenTtlMs: env.REFRESH_TOKEN_TTL_DAYS * 24 * 60 * 60 * 1000,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    maxSessionsPerUser: env.MAX_SESSIONS_PER_USER,
    maxPreferencesPerUser: env.MAX_PREFERENCES_PER_USER,
    guests: {
      enabled: env.ENABLE_GUEST_ACCESS,
      ttlMs: env.GUEST_TTL_MINUTES * 60_000,
      maxSessions: env.GUEST_MAX_SESSIONS,
    },
    registration: { mode: env.REGISTRATION, maxUsers: env.MAX_USERS ?? null },
    requireEmailVerification: env.REQUIRE_EMAIL_VERIFICATION,
    bootstrapAdmin:
      env.ADMIN_EMAIL && env.ADMIN_PASSWORD
        ? { email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD }
        : null,
    metricsToken: env.METRICS_TOKEN ?? null,
    sessions: {
      sweepIntervalMs: env.SESSION_SWEEP_INTERVAL_SECONDS * 1000,
      maxSessionMs: env.SESSION_MAX_SECONDS * 1000,
    },
    corsOrigins: env.CORS_ORIGINS,
    trustedProxies: env.TRUSTED_PROXIES,
    rateLimit: env.RATE_LIMIT_ENABLED
      ? {
          windowMs: 60_000,
          maxKeys: env.RATE_LIMIT_MAX_KEYS,
          perWindow: {
            auth: env.RATE_LIMIT_AUTH_PER_MINUTE,
            refresh: env.RATE_LIMIT_REFRESH_PER_MINUTE,
            token: env.RATE_LIMIT_TOKEN_PER_MINUTE,
            general: env.RATE_LIMIT_GENERAL_PER_MINUTE,
          },
          store: rateLimitStore(env),
        }
      : null,
    lockout: {
      maxFailures: env.LOGIN_MAX_FAILURES,
      lockoutMs: env.LOGIN_LOCKOUT_MINUTES * 60_000,
      accountFailures: env.LOGIN_ACCOUNT_THROTTLE_FAILURES,
      accountMaxDelayMs: env.LOGIN_ACCOUNT_THROTTLE_MAX_SECONDS * 1000,
    },
    logLevel: env.LOG_LEVEL,
    webClientDir: env.WEB_CLIENT_DIR ? resolve(env.WEB_CLIENT_DIR) : DEFAULT_WEB_CLIENT_DIR,
    cookieSecure:
      env.COOKIE_SECURE === 'auto' ? env.NODE_ENV === 'production' : env.COOKIE_SECURE === 'true',
    publicUrl: env.PUBLIC_URL ?? defaultPublicUrl(env.HOST, env.PORT),
    mail: {
      from: env.MAIL_FROM,
      smtpUrl: env.SMTP_URL ?? null,
      outboxDir: join(dirname(resolve(env.DATABASE_PATH)), 'mail'),
    },
  };
}
