import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  claimLoginAttempt,
  findUserByEmail,
  insertUser,
  listAuditEntries,
  loginThrottleBlockedUntil,
  sqliteStore,
} from '@attune/db';
import { openTempDatabase } from '@attune/db/testing';
import { ensureAdmin } from '../admin/ensure-admin.ts';
import { runAdminCli } from './admin-cli.ts';

let database: ReturnType<typeof openTempDatabase>;
beforeEach(() => {
  database = openTempDatabase();
});
afterEach(() => database.remove());

async function run(argv: string[], stdin = '', env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runAdminCli([...argv, '--db', database.path], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: { BCRYPT_COST: '4', ...env },
    readStdin: () => Promise.resolve(stdin),
    now: Date.now,
  });
  return { code, stdout, stderr };
}

describe('pnpm admin', () => {
  it('creates the first admin with a password read from stdin', async () => {
    const result = await run(
      ['create', '--email', ' Root@Example.org ', '--name', 'Root', '--password-stdin'],
      'a long admin password\n',
    );
    expect(result).toMatchObject({ code: 0, stdout: 'root@example.org created as admin.\n' });
    const user = findUserByEmail(database.db, 'root@example.org')!;
    expect(user).toMatchObject({ role: 'admin', fullName: 'Root' });
    // The operator vouches for the address: REQUIRE_EMAIL_VERIFICATION must not stop this admin.
    expect(user.emailVerifiedAt).not.toBeNull();
    expect(bcrypt.compareSync('a long admin password', user.passwordHash!)).toBe(true);
    expect(
      listAuditEntries(database.db, { action: 'admin_created', limit: 5 }).entries,
    ).toHaveLength(1);
  });

  it('promotes an existing account, and sets roles', async () => {
    insertUser(database.db, { email: 'ann@example.org', fullName: 'Ann', passwordHash: 'x' }, 0);
    expect((await run(['create', '--email', 'ann@example.org'])).stdout).toBe(
      'ann@example.org is now an admin.\n',
    );
    expect(
      (await run(['set-role', '--email', 'ann@example.org', '--role', 'analyst'])).stdout,
    ).toBe('ann@example.org is now analyst (was admin).\n');
    expect(findUserByEmail(database.db, 'ann@example.org')?.role).toBe('analyst');
  });

  it('unlocks an email: every blocked client IP and the account-wide count are forgotten', async () => {
    const ann = insertUser(
      database.db,
      { email: 'locked@example.org', fullName: 'Locked', passwordHash: 'x' },
      0,
    )!;
    const policy = {
      maxFailures: 5,
      lockoutMs: 900_000,
      accountFailures: 20,
      accountMaxDelayMs: 60_000,
    };
    const now = Date.now();
    for (const ipKey of ['203.0.113.1', '203.0.113.2'])
      for (let i = 0; i < 5; i += 1)
        claimLoginAttempt(database.db, { email: 'locked@example.org', ipKey }, policy, now);
    expect(loginThrottleBlockedUntil(database.db, 'locked@example.org', now)).not.toBeNull();

    const result = await run(['unlock', '--email', ' Locked@Example.org ']);
    expect(result).toMatchObject({
      code: 0,
      stdout: 'locked@example.org is unlocked: its failed sign-ins are forgotten.\n',
    });
    expect(loginThrottleBlockedUntil(database.db, 'locked@example.org', now)).toBeNull();
    expect(
      listAuditEntries(database.db, { action: 'unlock', userId: ann.id, limit: 5 }).entries,
    ).toHaveLength(1);
    expect((await run(['unlock', '--email', 'locked@example.org'])).stdout).toBe(
      'locked@example.org had no failed sign-ins to forget.\n',
    );
    expect((await run(['unlock'])).code).toBe(2);
  });

  it('explains what is wrong, with no stack trace', async () => {
    expect((await run(['create', '--email', 'new@example.org'])).stderr).toContain(
      'needs a password',
    );
    expect(
      (await run(['create', '--email', 'new@example.org', '--password-stdin'], 'short')).stderr,
    ).toContain('8 to 72 bytes');
    expect(
      (await run(['create', '--email', 'not-an-email', '--password-stdin'], 'long enough pw')).code,
    ).toBe(2);
    expect(
      (await run(['set-role', '--email', 'nobody@example.org', '--role', 'admin'])).stderr,
    ).toContain('No account has the email');
    expect((await run(['set-role', '--email', 'x@example.org', '--role', 'root'])).code).toBe(2);
    insertUser(database.db, { email: 'kept@example.org', fullName: 'Kept', passwordHash: 'x' }, 0);
    const toGuest = await run(['set-role', '--email', 'kept@example.org', '--role', 'guest']);
    expect(toGuest).toMatchObject({ code: 2 });
    expect(toGuest.stderr).toContain('no account can be moved into or out of the guest role');
    expect(findUserByEmail(database.db, 'kept@example.org')?.role).toBe('user');
    expect((await run(['destroy'])).code).toBe(2);
  });
});

describe('pnpm admin: which database', () => {
  const cli = async (argv: string[], env: Record<string, string>) => {
    let stderr = '';
    const code = await runAdminCli(argv, {
      stdout: () => undefined,
      stderr: (t) => (stderr += t),
      env: { BCRYPT_COST: '4', ...env },
      readStdin: () => Promise.resolve('a long admin password\n'),
      now: Date.now,
    });
    return { code, stderr };
  };
  const create = ['create', '--email', 'root@example.org', '--password-stdin'];

  it('uses DATABASE_PATH, as the service does, when --db is not given', async () => {
    expect(await cli(create, { DATABASE_PATH: database.path })).toEqual({ code: 0, stderr: '' });
    expect(findUserByEmail(database.db, 'root@example.org')?.role).toBe('admin');
  });

  it('never creates a database: the service does, on its first start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attune-cli-'));
    try {
      const missing = join(dir, 'data', 'attune.db');
      for (const argv of [create, [...create, '--db', missing]]) {
        const result = await cli(argv, { DATABASE_PATH: missing });
        expect(result).toEqual({
          code: 1,
          stderr: `No database at ${missing}; start the service first, or pass --db <path>.\n`,
        });
      }
      expect(existsSync(join(dir, 'data'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ensureAdmin at start-up', () => {
  it('never promotes an account someone else registered with the configured email', async () => {
    insertUser(
      database.db,
      { email: 'boss@example.org', fullName: 'Squatter', passwordHash: 'x' },
      0,
    );
    const passwords = { hash: () => Promise.resolve('unused') };
    const result = await ensureAdmin(
      { store: sqliteStore(database), passwords, now: Date.now },
      {
        email: 'boss@example.org',
        password: 'long enough pw',
        fullName: 'Admin',
        promoteExisting: false,
      },
    );
    expect(result.outcome).toBe('exists_not_admin');
    expect(findUserByEmail(database.db, 'boss@example.org')?.role).toBe('user');
  });
});
