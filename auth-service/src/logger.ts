import { type Logger, pino } from 'pino';

/** Any field with one of these names is replaced before a line is written, at any depth we log. */
const REDACTED_KEYS = [
  'password',
  'password_hash',
  'passwordHash',
  'token',
  'access_token',
  'refresh_token',
  'livekit_token',
  'authorization',
  'cookie',
  'secret',
  'jwtSecret',
  'apiSecret',
  // SMTP_URL may carry the mail server's user and password.
  'smtpUrl',
  'SMTP_URL',
  // So may REDIS_URL.
  'redisUrl',
  'REDIS_URL',
  // So may DATABASE_URL (PostgreSQL's password).
  'databaseUrl',
  'DATABASE_URL',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const paths = REDACTED_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);
  return pino(
    { level, base: { service: 'auth-service' }, redact: { paths, censor: '[redacted]' } },
    destination,
  );
}
