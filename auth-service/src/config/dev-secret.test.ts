import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { DEV_AGENT_API_SECRET_FILE, DEV_JWT_SECRET_FILE } from './dev-secret.ts';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('development secrets', () => {
  it('is generated once beside the database, readable by its owner only, and kept across starts', () => {
    dir = mkdtempSync(join(tmpdir(), 'attune-secret-'));
    const databasePath = join(dir, 'nested', 'attune.db');
    const first = loadConfig({ DATABASE_PATH: databasePath }).jwtSecret;
    const second = loadConfig({ DATABASE_PATH: databasePath }).jwtSecret;
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(second).toBe(first);
    const file = join(dir, 'nested', DEV_JWT_SECRET_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('is never generated when JWT_SECRET is set', () => {
    dir = mkdtempSync(join(tmpdir(), 'attune-secret-'));
    const secret = 's'.repeat(40);
    expect(
      loadConfig({ DATABASE_PATH: join(dir, 'attune.db'), JWT_SECRET: secret }).jwtSecret,
    ).toBe(secret);
    expect(() => statSync(join(dir!, DEV_JWT_SECRET_FILE))).toThrow();
  });

  it('generates the agent secret beside the database too, for an agent on this machine to read', () => {
    dir = mkdtempSync(join(tmpdir(), 'attune-secret-'));
    const config = loadConfig({ DATABASE_PATH: join(dir, 'attune.db') });
    const file = join(dir, DEV_AGENT_API_SECRET_FILE);
    expect(readFileSync(file, 'utf8').trim()).toBe(config.agentApi.secret);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(config.agentApi.secret).not.toBe(config.jwtSecret);
    expect(loadConfig({ DATABASE_PATH: join(dir, 'attune.db') }).agentApi.secret).toBe(
      config.agentApi.secret,
    );
  });
});
