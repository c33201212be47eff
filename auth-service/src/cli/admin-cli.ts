import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ZodError, z } from 'zod';
import {
  type AttuneStore,
  USER_ROLES,
  openDatabase,
  openPostgresDatabase,
  postgresStore,
  sqliteStore,
} from '@attune/db';
import { ensureAdmin } from '../admin/ensure-admin.ts';
import { GUEST_ROLE_FIXED, isGuestRoleMove } from '../admin/guest-role.ts';
import type { AuditRecord } from '../audit/audit.ts';
import { databaseUrl, describeDatabase } from '../config/database-settings.ts';
import { envSchema } from '../config/env.ts';
import { createPasswordHasher } from '../passwords/password-hasher.ts';
import { emailSchema } from '../routes/auth/auth.schemas.ts';

export const ADMIN_USAGE = `Usage:
  pnpm admin create --email <email> [--name <full name>] [--password-stdin]
      Creates an admin account, or makes the existing account with that email an admin.
      A new account's password is read from stdin with --password-stdin, else from ADMIN_PASSWORD.
  pnpm admin set-role --email <email> --role <admin|moderator|analyst|user>
      Gives an existing account a role.
  pnpm admin unlock --email <email>
      Forgets every failed sign-in of the email (every client IP and account-wide), so the login
      throttle lets its owner in at once. Works for any email, with or without an account.

Options: --db <path> (default: $DATABASE_PATH or ./data/attune.db, read as the service reads it)
  The database must exist: the service creates it on its first start.
`;

export interface AdminCliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  readStdin: () => Promise<string>;
  now: () => number;
}

const commonSchema = { email: emailSchema, db: z.string().min(1).optional() };
const createSchema = z.strictObject({
  ...commonSchema,
  name: z.string().trim().min(1).max(100).default('Administrator'),
  'password-stdin': z.boolean().optional(),
});
const setRoleSchema = z.strictObject({ ...commonSchema, role: z.enum(USER_ROLES) });
const unlockSchema = z.strictObject(commonSchema);
const COMMANDS = ['create', 'set-role', 'unlock'] as const;
const schemaOf = { create: createSchema, 'set-role': setRoleSchema, unlock: unlockSchema };

/** --db, else DATABASE_PATH with the service's own default and checks, as an absolute path. */
function databasePath(db: string | undefined, env: AdminCliIo['env']): string {
  return resolve(db ?? envSchema.shape.DATABASE_PATH.parse(env.DATABASE_PATH || undefined));
}

/** `pnpm admin`: returns the exit code. */
export async function runAdminCli(argv: string[], io: AdminCliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    (command === undefined ? io.stderr : io.stdout)(ADMIN_USAGE);
    return command === undefined ? 2 : 0;
  }
  if (!(COMMANDS as readonly string[]).includes(command)) {
    io.stderr(`Unknown command: ${command}\n\n${ADMIN_USAGE}`);
    return 2;
  }
  let values: Record<string, unknown>;
  try {
    values = parseArgs({
      args: rest,
      options: {
        email: { type: 'string' },
        name: { type: 'string' },
        role: { type: 'string' },
        db: { type: 'string' },
        'password-stdin': { type: 'boolean' },
      },
      strict: true,
    }).values;
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\n${ADMIN_USAGE}`);
    return 2;
  }
  const parsed = schemaOf[command as (typeof COMMANDS)[number]].safeParse(values);
  if (!parsed.success) {
    io.stderr(
      `${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n')}\n\n${ADMIN_USAGE}`,
    );
    return 2;
  }
  const options = parsed.data as z.infer<typeof createSchema> &
    Partial<z.infer<typeof setRoleSchema>>;
  const store = await openCliStore(options.db, io);
  if (!store) return 1;
  try {
    if (command === 'unlock') {
      const user = await store.users.findByEmail(options.email);
      const cleared = await store.loginThrottle.clear(
        options.email,
        { keepKnownSources: true },
        io.now(),
        (rows): AuditRecord => ({
          action: 'unlock',
          actorId: null,
          target: user?.id ?? null,
          ip: null,
          detail: { throttle_rows: rows, via: 'cli' },
        }),
      );
      io.stdout(
        cleared === 0
          ? `${options.email} had no failed sign-ins to forget.\n`
          : `${options.email} is unlocked: its failed sign-ins are forgotten.\n`,
      );
      return 0;
    }
    if (command === 'set-role') {
      const user = await store.users.findByEmail(options.email);
      if (!user) {
        io.stderr(`No account has the email ${options.email}.\n`);
        return 1;
      }
      const role = options.role!;
      if (isGuestRoleMove(user.role, role)) {
        io.stderr(`${GUEST_ROLE_FIXED}.\n`);
        return 2;
      }
      const changed = await store.admin.setRoleByOperator(
        user.id,
        role,
        ({ previous }): AuditRecord => ({
          action: 'role_change',
          actorId: null,
          target: user.id,
          ip: null,
          detail: { from: previous.role, to: role, via: 'cli' },
        }),
        io.now(),
      );
      if (!changed) {
        io.stderr(`No account has the email ${options.email}.\n`);
        return 1;
      }
      io.stdout(`${options.email} is now ${role} (was ${changed.previous.role}).\n`);
      return 0;
    }
    const existing = await store.users.findByEmail(options.email);
    const password = existing
      ? null
      : options['password-stdin']
        ? (await io.readStdin()).replace(/\r?\n$/, '')
        : (io.env.ADMIN_PASSWORD ?? null);
    if (!existing && password === null) {
      io.stderr(
        'A new admin needs a password: pipe it in with --password-stdin, or set ADMIN_PASSWORD.\n',
      );
      return 2;
    }
    const passwords = createPasswordHasher(Number(io.env.BCRYPT_COST ?? 12), 1);
    try {
      const result = await ensureAdmin(
        { store, passwords, now: io.now },
        { email: options.email, password, fullName: options.name, promoteExisting: true },
      );
      const said = {
        created: 'created as admin',
        promoted: 'is now an admin',
        already_admin: 'was already an admin',
        exists_not_admin: '',
      };
      io.stdout(`${options.email} ${said[result.outcome]}.\n`);
      return 0;
    } finally {
      await passwords.close();
    }
  } catch (error) {
    if (error instanceof ZodError) {
      io.stderr(`${error.issues.map((i) => i.message).join('; ')}\n`);
      return 2;
    }
    io.stderr(`${(error as Error).message}\n`);
    return 1;
  } finally {
    await store.close();
  }
}

/**
 * The store the service uses: PostgreSQL when DATABASE_URL is set (and no --db names a file),
 * else the SQLite file. Never creates a SQLite file: the service creates and migrates it, and a CLI
 * that created one would put the admin into a database no service reads.
 */
async function openCliStore(db: string | undefined, io: AdminCliIo): Promise<AttuneStore | null> {
  if (db === undefined && io.env.DATABASE_URL) {
    const url = databaseUrl.safeParse(io.env.DATABASE_URL);
    if (!url.success) {
      io.stderr(`DATABASE_URL ${url.error.issues[0]?.message ?? 'is not valid'}.\n`);
      return null;
    }
    const where = describeDatabase({ engine: 'postgres', url: url.data, poolSize: 1 });
    try {
      return postgresStore(await openPostgresDatabase(url.data, { poolSize: 1 }));
    } catch (error) {
      io.stderr(`Cannot open the database at ${where}: ${(error as Error).message}.\n`);
      return null;
    }
  }
  const path = databasePath(db, io.env);
  if (!existsSync(path)) {
    io.stderr(`No database at ${path}; start the service first, or pass --db <path>.\n`);
    return null;
  }
  try {
    return sqliteStore(openDatabase(path));
  } catch (error) {
    io.stderr(`Cannot open the database at ${path}: ${(error as Error).message}.\n`);
    return null;
  }
}
