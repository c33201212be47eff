import { z } from 'zod';
import { MIN_TRUSTED_PREFIX, isIpOrCidr, isTooWideToTrust } from '../http/client-ip.ts';
import { databasePoolSize, databaseUrl } from './database-settings.ts';
import {
  DEFAULT_MAIL_FROM,
  mailFrom,
  mailProductionProblems,
  publicUrl,
  smtpUrl,
} from './mail-settings.ts';
import { redisKeyPrefix, redisProductionProblems, redisUrl } from './redis-settings.ts';

const DEV_LIVEKIT_API_KEY = 'devkey';
const DEV_LIVEKIT_API_SECRET = 'secret';
export const MIN_JWT_SECRET_LENGTH = 32;
export const MIN_AGENT_API_SECRET_LENGTH = 32;
/** livekit-server itself wants API secrets of at least 32 characters. */
export const MIN_LIVEKIT_SECRET_LENGTH = 32;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();

/** Every environment variable the auth service reads, with its default. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port.default(8000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_PATH: z.string().min(1).default('./data/attune.db'),
  /** PostgreSQL instead of the SQLite file: what several replicas share (docs/scaling.md). */
  DATABASE_URL: databaseUrl.optional(),
  DATABASE_POOL_SIZE: databasePoolSize.default(10),
  JWT_SECRET: z.string().optional(),
  /** The internal agent API's own listener (/agent/v1/): agents on other hosts need it reachable. */
  INTERNAL_PORT: port.default(8001),
  INTERNAL_HOST: z.string().min(1).default('127.0.0.1'),
  /** What agent workers present to the internal agent API; unset in development: generated beside the database. */
  AGENT_API_SECRET: z.string().optional(),
  /** The agent's instructions carry at most this many earlier turns… */
  HISTORY_MAX_TURNS: positiveInt.max(500).default(40),
  /** …and at most this many characters of them. */
  HISTORY_MAX_CHARS: positiveInt.max(100_000).default(4_000),
  /** How long after a session ended its agent may still store the last turns and the end. */
  AGENT_SESSION_GRACE_SECONDS: positiveInt.max(24 * 60 * 60).default(5 * 60),
  LIVEKIT_URL: z
    .string()
    .url()
    .refine((url) => /^wss?:\/\//.test(url), 'must start with ws:// or wss://')
    .default('ws://localhost:7880'),
  /** The URL handed to clients when it differs from the one the service itself uses (e.g. inside Docker). */
  LIVEKIT_PUBLIC_URL: z
    .string()
    .url()
    .refine((url) => /^wss?:\/\//.test(url), 'must start with ws:// or wss://')
    .optional(),
  LIVEKIT_API_KEY: z.string().min(1).default(DEV_LIVEKIT_API_KEY),
  LIVEKIT_API_SECRET: z.string().min(1).default(DEV_LIVEKIT_API_SECRET),
  AGENT_NAME: z.string().min(1).max(128).default('attune-assistant'),
  BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12),
  ACCESS_TOKEN_TTL_SECONDS: positiveInt.default(15 * 60),
  REFRESH_TOKEN_TTL_DAYS: positiveInt.default(30),
  LIVEKIT_TOKEN_TTL_SECONDS: positiveInt.default(10 * 60),
  BODY_LIMIT_BYTES: positiveInt.default(16 * 1024),
  SESSION_SWEEP_INTERVAL_SECONDS: positiveInt.default(60),
  MAX_SESSIONS_PER_USER: positiveInt.default(10),
  /** The agent reads the same variable: set it once for both. */
  MAX_PREFERENCES_PER_USER: positiveInt.max(10_000).default(100),
  ENABLE_GUEST_ACCESS: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  GUEST_TTL_MINUTES: positiveInt.default(60),
  GUEST_MAX_SESSIONS: positiveInt.default(2),
  /** Who may sign up: `open` (anyone), `invite` (with an admin's invitation only) or `closed`. */
  REGISTRATION: z.enum(['open', 'invite', 'closed']).default('open'),
  /** Most non-guest accounts the service holds; unset: no limit. */
  MAX_USERS: positiveInt.optional(),
  /** `true`: accounts must confirm their address (the mailed link) before minting room tokens. */
  REQUIRE_EMAIL_VERIFICATION: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
  ADMIN_EMAIL: z.string().optional(),
  ADMIN_PASSWORD: z.string().optional(),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  SESSION_MAX_SECONDS: positiveInt.default(4 * 60 * 60),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(z.url().regex(/^https?:\/\/[^/]+$/, 'each origin is scheme://host[:port], no path')),
    ),
  /**
   * Reverse proxies (IPs or CIDR networks, comma-separated) whose X-Forwarded-For is believed;
   * empty: the socket's peer is the client.
   */
  TRUSTED_PROXIES: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z
          .string()
          .refine(isIpOrCidr, 'each entry is an IP address or a CIDR network (e.g. 10.0.0.0/8)'),
      ),
    ),
  /** Per-minute request limits per client IP (and per user where one is signed in); see http/rate-limit.ts. */
  RATE_LIMIT_ENABLED: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  /**
   * Sign-in routes (register, login, guest, password reset…): per client IP, roomy enough for an
   * office behind one address; password-checking signed-in routes count per user too.
   */
  RATE_LIMIT_AUTH_PER_MINUTE: positiveInt.default(100),
  /** POST /auth/refresh: per client IP (renewing a token is not a password guess). */
  RATE_LIMIT_REFRESH_PER_MINUTE: positiveInt.default(300),
  /** POST /auth/token: per user and per client IP. */
  RATE_LIMIT_TOKEN_PER_MINUTE: positiveInt.default(30),
  /** Every other route but /health, /ready and the LiveKit webhook: per user and per client IP. */
  RATE_LIMIT_GENERAL_PER_MINUTE: positiveInt.default(300),
  /** Most client IPs and users tracked per route class (memory bound); the oldest window is dropped first. */
  RATE_LIMIT_MAX_KEYS: positiveInt.default(50_000),
  /**
   * The Redis server the replicas share their rate-limit counts through (see docs/scaling.md);
   * unset: each process counts in its own memory.
   */
  REDIS_URL: redisUrl.optional(),
  /** Starts every key Attune writes to Redis, so several deployments can share one server. */
  REDIS_KEY_PREFIX: redisKeyPrefix.default('attune:'),
  /** How long one count may wait for the shared store before the request is counted in memory. */
  RATE_LIMIT_STORE_TIMEOUT_MS: positiveInt.max(10_000).default(250),
  /**
   * Where rate limits count. `auto`: Redis with REDIS_URL, else PostgreSQL with DATABASE_URL,
   * else memory. `memory` keeps one replica's counts to itself even on PostgreSQL.
   */
  RATE_LIMIT_STORE: z.enum(['auto', 'memory', 'redis', 'postgres']).default('auto'),
  /** Failed sign-ins of one account from one client IP, within LOGIN_LOCKOUT_MINUTES, that block that pair… */
  LOGIN_MAX_FAILURES: positiveInt.default(5),
  /** …for this long (other IPs are unaffected); a successful sign-in clears the pair. */
  LOGIN_LOCKOUT_MINUTES: positiveInt.default(15),
  /** Failed sign-ins of one account from any IPs, within LOGIN_LOCKOUT_MINUTES, after which each password check waits… */
  LOGIN_ACCOUNT_THROTTLE_FAILURES: positiveInt.default(20),
  /** …a delay doubling from 1 s up to this many seconds (a throttle the owner outwaits, never a lock). */
  LOGIN_ACCOUNT_THROTTLE_MAX_SECONDS: positiveInt.default(60),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** The built web client served at `/` (default: web-client/dist of this checkout). */
  WEB_CLIENT_DIR: z.string().min(1).optional(),
  /** `auto`: the refresh cookie is `Secure` in production (behind https) and not in development (http on loopback). */
  COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
  /** How long one call to LiveKit's server API (GET /admin/rooms, removing participants) may take before it counts as failed. */
  LIVEKIT_API_TIMEOUT_SECONDS: z.coerce.number().positive().max(60).default(5),
  // --- Mail (see docs/mail.md and mail-settings.ts) ---
  /** `smtp://[user:pass@]host[:port]` or `smtps://…`; unset outside production: mails go to the outbox folder. */
  SMTP_URL: smtpUrl.optional(),
  /** The From of every mail: `address` or `Name <address>`. */
  MAIL_FROM: mailFrom.default(DEFAULT_MAIL_FROM),
  /** Where people reach the service (links in mails); default `http://<HOST>:<PORT>`. */
  PUBLIC_URL: publicUrl.optional(),
});

export type Env = z.infer<typeof envSchema>;

/** Raised when the environment cannot run the service; the message says what to set. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses and checks the environment. Production refuses dev LiveKit keys and a weak JWT secret. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const blanksRemoved = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = envSchema.safeParse(blanksRemoved);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  if ((env.ADMIN_EMAIL === undefined) !== (env.ADMIN_PASSWORD === undefined)) {
    throw new ConfigError(
      'Set both ADMIN_EMAIL and ADMIN_PASSWORD to create the first admin at start, or neither',
    );
  }
  if (env.NODE_ENV === 'production') {
    const problems: string[] = [];
    if (
      env.LIVEKIT_API_KEY === DEV_LIVEKIT_API_KEY ||
      env.LIVEKIT_API_SECRET === DEV_LIVEKIT_API_SECRET
    ) {
      problems.push(
        'LIVEKIT_API_KEY and LIVEKIT_API_SECRET are the development keys (devkey/secret); set the key pair of your LiveKit server',
      );
    } else if (env.LIVEKIT_API_SECRET.length < MIN_LIVEKIT_SECRET_LENGTH) {
      problems.push(
        `LIVEKIT_API_SECRET is shorter than ${MIN_LIVEKIT_SECRET_LENGTH} characters; set the secret of your LiveKit server's key pair`,
      );
    }
    const browserUrl = env.LIVEKIT_PUBLIC_URL ?? env.LIVEKIT_URL;
    const browserUrlName = env.LIVEKIT_PUBLIC_URL ? 'LIVEKIT_PUBLIC_URL' : 'LIVEKIT_URL';
    if (!('LIVEKIT_URL' in blanksRemoved)) {
      problems.push(
        'LIVEKIT_URL is not set; set the wss:// URL browsers use to reach your LiveKit server',
      );
    } else if (
      browserUrl.startsWith('ws://') &&
      !LOOPBACK_HOSTS.has(new URL(browserUrl).hostname)
    ) {
      problems.push(
        `${browserUrlName} uses ws:// to a remote host; set a wss:// URL (browsers on https pages refuse ws://)`,
      );
    }
    if (!env.JWT_SECRET) {
      problems.push(
        `JWT_SECRET is not set; set it to a random string of at least ${MIN_JWT_SECRET_LENGTH} characters (e.g. \`openssl rand -base64 48\`)`,
      );
    } else if (env.JWT_SECRET.length < MIN_JWT_SECRET_LENGTH) {
      problems.push(
        `JWT_SECRET is shorter than ${MIN_JWT_SECRET_LENGTH} characters; set a longer random secret (e.g. \`openssl rand -base64 48\`)`,
      );
    }
    if (env.JWT_SECRET && env.JWT_SECRET === env.LIVEKIT_API_SECRET) {
      problems.push(
        'JWT_SECRET is the same as LIVEKIT_API_SECRET, so whoever holds the LiveKit key pair could sign Attune sign-ins; set JWT_SECRET to a random string of its own (e.g. `openssl rand -base64 48`)',
      );
    }
    const tooWide = env.TRUSTED_PROXIES.filter(isTooWideToTrust);
    if (tooWide.length > 0) {
      problems.push(
        `TRUSTED_PROXIES includes ${tooWide.join(', ')}, wider than /${MIN_TRUSTED_PREFIX.ipv4} (IPv4) or /${MIN_TRUSTED_PREFIX.ipv6} (IPv6, except fc00::/7): any client in it could send X-Forwarded-For and choose the IP that rate limits and sign-in throttling count; list your reverse proxies' addresses or their private network (e.g. 10.0.0.0/8)`,
      );
    }
    if (env.COOKIE_SECURE === 'false') {
      problems.push(
        'COOKIE_SECURE=false would send the refresh cookie over plain http, where anyone on the way can read it; serve Attune over https (behind a proxy) and set COOKIE_SECURE=auto or remove it',
      );
    }
    if (!env.AGENT_API_SECRET) {
      problems.push(
        `AGENT_API_SECRET is not set; set it to a random string of at least ${MIN_AGENT_API_SECRET_LENGTH} characters (e.g. \`openssl rand -base64 48\`), and give the agent workers the same value`,
      );
    }
    problems.push(...mailProductionProblems(env));
    problems.push(...redisProductionProblems(env));
    if (problems.length > 0) {
      throw new ConfigError(
        `Refusing to start with NODE_ENV=production:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      );
    }
  } else if (env.JWT_SECRET !== undefined && env.JWT_SECRET.length < MIN_JWT_SECRET_LENGTH) {
    throw new ConfigError(
      `JWT_SECRET must be at least ${MIN_JWT_SECRET_LENGTH} characters (or unset in development to generate one)`,
    );
  }
  if (env.AGENT_API_SECRET !== undefined) checkAgentApiSecret(env);
  return env;
}

/** A set AGENT_API_SECRET is long, and shares nothing with the service's other secrets. */
function checkAgentApiSecret(env: Env): void {
  const secret = env.AGENT_API_SECRET ?? '';
  if (secret.length < MIN_AGENT_API_SECRET_LENGTH) {
    throw new ConfigError(
      `AGENT_API_SECRET must be at least ${MIN_AGENT_API_SECRET_LENGTH} characters (e.g. \`openssl rand -base64 48\`; or unset in development to generate one)`,
    );
  }
  if (secret === env.JWT_SECRET || secret === env.LIVEKIT_API_SECRET) {
    throw new ConfigError(
      'AGENT_API_SECRET must differ from JWT_SECRET and LIVEKIT_API_SECRET: whoever holds it must not be able to sign tokens',
    );
  }
}
