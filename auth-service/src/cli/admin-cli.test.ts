import bcrypt from 'bcryptjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findUserByEmail, insertUser, listAuditEntries } from '@attune/db';
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

describe('ensureAdmin at start-up', () => {
  it('never promotes an account someone else registered with the configured email', async () => {
    insertUser(
      database.db,
      { email: 'boss@example.org', fullName: 'Squatter', passwordHash: 'x' },
      0,
    );
    const passwords = { hash: () => Promise.resolve('unused') };
    const result = await ensureAdmin(
      { database, passwords, now: Date.now },
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
