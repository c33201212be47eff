import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from './env.ts';

/** The development secrets kept beside the database, one file each, with the setting that replaces it. */
export const DEV_JWT_SECRET_FILE = 'jwt-secret';
export const DEV_AGENT_API_SECRET_FILE = 'agent-api-secret';
const SETTING_OF: Record<string, string> = {
  [DEV_JWT_SECRET_FILE]: 'JWT_SECRET',
  [DEV_AGENT_API_SECRET_FILE]: 'AGENT_API_SECRET',
};

/** Where the development secret `fileName` lives for a database at `databasePath`. */
export function devSecretPath(databasePath: string, fileName: string): string {
  return join(dirname(resolve(databasePath)), fileName);
}

/**
 * Development only: a secret kept beside the database, generated on first start so sign-ins
 * survive restarts and an agent on the same machine can read the same agent secret, without
 * anyone choosing one. The file is readable by its owner only.
 */
export function loadOrCreateDevSecret(databasePath: string, fileName: string): string {
  const file = devSecretPath(databasePath, fileName);
  try {
    return readOrCreate(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError(
      `cannot keep the development secret in ${file} (${code}); set DATABASE_PATH to a file in a writable folder, or set ${SETTING_OF[fileName] ?? 'the secret'}`,
    );
  }
}

function readOrCreate(file: string): string {
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing.length > 0) return existing;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const secret = randomBytes(48).toString('base64url');
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process started at the same moment and wrote first: use its secret.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      return readFileSync(file, 'utf8').trim();
    throw error;
  }
  return secret;
}
