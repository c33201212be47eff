import {
  cpSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import { databasePathProblem } from './database-path.ts';
import { openConnection, openDatabase, openReadOnlyDatabase } from './open-database.ts';
import { insertUserSession } from './queries/user-sessions.ts';
import { insertUser } from './queries/users.ts';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function tempPath(): string {
  dir = mkdtempSync(join(tmpdir(), 'attune-db-'));
  return join(dir, 'sub', 'folder', 'attune.db');
}

describe('openDatabase', () => {
  it('creates the file and its folders, applies every migration, and turns on WAL and foreign keys', () => {
    const path = tempPath();
    const database = openDatabase(path);
    database.close();

    const raw = new Database(path, { readonly: true });
    const tables = raw
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .pluck()
      .all();
    expect(tables).toEqual([
      '__drizzle_migrations',
      'action_tokens',
      'audit_log',
      'conversation_turns',
      'login_throttle',
      'refresh_tokens',
      'rooms',
      'user_preferences',
      'user_sessions',
      'users',
      'webhook_events',
    ]);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    const indexes = raw
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'conversation_turns'",
      )
      .pluck()
      .all();
    expect(indexes).toContain('conversation_turns_user_created_idx');
    raw.close();
  });

  it('keeps the file (it holds password hashes) readable by its owner only', () => {
    const path = tempPath();
    openDatabase(path).close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('keeps savepoint journals in memory, not in a temp file per commit', () => {
    const { database, connection } = openConnection(tempPath());
    try {
      // 2 = MEMORY (0 would be the compile-time default: a file).
      expect(connection.pragma('temp_store', { simple: true })).toBe(2);
    } finally {
      database.close();
    }
  });

  it('enforces foreign keys on its connection', () => {
    const database = openDatabase(tempPath());
    try {
      expect(() =>
        insertUserSession(
          database.db,
          { userId: 'no-such-user', roomName: 'r', participantIdentity: 'x' },
          1,
        ),
      ).toThrow(/FOREIGN KEY/);
    } finally {
      database.close();
    }
  });

  it('reopens an existing file without losing rows or re-running migrations', () => {
    const path = tempPath();
    const first = openDatabase(path);
    const user = insertUser(
      first.db,
      { email: 'keep@example.org', fullName: 'Keep', passwordHash: 'h' },
      1,
    );
    first.close();
    const second = openDatabase(path);
    try {
      expect(second.db.query.users.findFirst().sync()?.id).toBe(user?.id);
      expect(second.isReachable()).toBe(true);
    } finally {
      second.close();
    }
    expect(second.isReachable()).toBe(false);
  });

  it('refuses values outside the allowed roles and statuses', () => {
    const database = openDatabase(tempPath());
    try {
      expect(() =>
        insertUser(
          database.db,
          { email: 'r@example.org', fullName: 'R', passwordHash: 'h', role: 'root' as 'user' },
          1,
        ),
      ).toThrow(/CHECK constraint/);
    } finally {
      database.close();
    }
  });
});

/** A database at `path` migrated up to migration `lastIdx` only, as an earlier release left it. */
function databaseAtRelease(upgradeDir: string, path: string, lastIdx: number): Database.Database {
  const release = join(upgradeDir, `migrations-${lastIdx}`);
  cpSync(fileURLToPath(new URL('../migrations', import.meta.url)), release, { recursive: true });
  const journalPath = join(release, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { idx: number }[] };
  writeFileSync(
    journalPath,
    JSON.stringify({ ...journal, entries: journal.entries.filter((e) => e.idx <= lastIdx) }),
  );
  const old = new Database(path);
  old.pragma('foreign_keys = ON');
  migrate(drizzle(old), { migrationsFolder: release });
  return old;
}

describe('upgrading a database made by an earlier version', () => {
  it('adds the session-end columns and the session_durations view without losing any row', () => {
    const upgradeDir = mkdtempSync(join(tmpdir(), 'attune-upgrade-'));
    try {
      // The first release: only migration 0000.
      const path = join(upgradeDir, 'attune.db');
      const old = databaseAtRelease(upgradeDir, path, 0);
      old.exec(`
        INSERT INTO users (id, email, full_name, password_hash, created_at) VALUES ('u1', 'a@example.org', 'A', 'h', 0);
        INSERT INTO user_sessions (id, user_id, room_name, participant_identity, issued_at, session_start, session_end, duration_seconds, status)
          VALUES ('s1', 'u1', 'r1', 'u1', 0, 1000, 61000, 60, 'ended');
        INSERT INTO conversation_turns (user_id, session_id, role, text, created_at) VALUES ('u1', 's1', 'user', 'hello', 1500);
      `);
      old.close();

      const { database, connection } = openConnection(path);
      expect(connection.prepare('SELECT session_id FROM conversation_turns').all()).toEqual([
        { session_id: 's1' },
      ]);
      expect(
        connection
          .prepare('SELECT id, duration_seconds, last_join_at, end_source FROM user_sessions')
          .all(),
      ).toEqual([{ id: 's1', duration_seconds: 60, last_join_at: null, end_source: null }]);
      expect(
        connection
          .prepare(
            'SELECT session_id, email, day, duration_seconds, session_start FROM session_durations',
          )
          .all(),
      ).toEqual([
        {
          session_id: 's1',
          email: 'a@example.org',
          day: '1970-01-01',
          duration_seconds: 60,
          session_start: '1970-01-01T00:00:01.000Z',
        },
      ]);
      database.close();
    } finally {
      rmSync(upgradeDir, { recursive: true, force: true });
    }
  });
});

describe('upgrading past the users rebuild (0003: moderator role, nullable password, verification)', () => {
  it('keeps every user and every row that references one, marks existing users verified, and drops the lockout columns', () => {
    const upgradeDir = mkdtempSync(join(tmpdir(), 'attune-upgrade-'));
    try {
      const path = join(upgradeDir, 'attune.db');
      const old = databaseAtRelease(upgradeDir, path, 2);
      old.exec(`
        INSERT INTO users (id, email, full_name, password_hash, role, created_at, last_login, failed_logins, locked_until)
          VALUES ('u1', 'a@example.org', 'A', 'h1', 'admin', 1000, 5000, 3, 99999),
                 ('u2', 'b@example.org', 'B', 'h2', 'user', 2000, NULL, 0, NULL);
        INSERT INTO refresh_tokens (id, user_id, token_hash, family_id, created_at, expires_at)
          VALUES ('t1', 'u1', 'th', 't1', 0, 10);
        INSERT INTO rooms (name, owner_id, created_at) VALUES ('r1', 'u1', 0);
        INSERT INTO user_sessions (id, user_id, room_name, participant_identity, issued_at, status)
          VALUES ('s1', 'u1', 'r1', 'u1', 0, 'issued');
        INSERT INTO user_preferences (user_id, key, value, updated_at) VALUES ('u2', 'k', 'v', 0);
        INSERT INTO conversation_turns (user_id, session_id, role, text, created_at, client_turn_id)
          VALUES ('u1', 's1', 'user', 'hello', 1500, 'c1');
      `);
      const before = (table: string, db: Database.Database) =>
        db.prepare(`SELECT * FROM ${table} ORDER BY 1`).all();
      const referencing = [
        'refresh_tokens',
        'rooms',
        'user_sessions',
        'user_preferences',
        'conversation_turns',
      ];
      const kept = Object.fromEntries(referencing.map((t) => [t, before(t, old)]));
      old.close();

      const { database, connection } = openConnection(path);
      try {
        expect(connection.prepare('SELECT * FROM users ORDER BY id').all()).toEqual([
          {
            id: 'u1',
            email: 'a@example.org',
            full_name: 'A',
            password_hash: 'h1',
            role: 'admin',
            status: 'active',
            created_at: 1000,
            last_login: 5000,
            email_verified_at: 1000,
            pending_email: null,
          },
          {
            id: 'u2',
            email: 'b@example.org',
            full_name: 'B',
            password_hash: 'h2',
            role: 'user',
            status: 'active',
            created_at: 2000,
            last_login: null,
            email_verified_at: 2000,
            pending_email: null,
          },
        ]);
        for (const table of referencing) expect(before(table, connection)).toEqual(kept[table]);
        expect(connection.pragma('foreign_keys', { simple: true })).toBe(1);
        expect(connection.pragma('foreign_key_check')).toEqual([]);
        // The rebuilt table keeps its constraints, now with the new role and a nullable password.
        connection.exec(
          "INSERT INTO users (id, email, full_name, password_hash, role, created_at) VALUES ('u3', 'c@example.org', 'C', NULL, 'moderator', 0)",
        );
        expect(() =>
          connection.exec(
            "INSERT INTO users (id, email, full_name, role, created_at) VALUES ('u4', 'd@example.org', 'D', 'root', 0)",
          ),
        ).toThrow(/CHECK constraint/);
        expect(() =>
          connection.exec(
            "INSERT INTO users (id, email, full_name, created_at) VALUES ('u5', 'a@example.org', 'dup', 0)",
          ),
        ).toThrow(/UNIQUE constraint/);
        // Foreign keys still cascade from the rebuilt users table.
        connection.exec("DELETE FROM users WHERE id = 'u1'");
        expect(connection.prepare('SELECT count(*) AS n FROM refresh_tokens').get()).toEqual({
          n: 0,
        });
        expect(connection.prepare('SELECT count(*) AS n FROM session_durations').get()).toEqual({
          n: 0,
        });
      } finally {
        database.close();
      }
    } finally {
      rmSync(upgradeDir, { recursive: true, force: true });
    }
  });
});

describe('a DATABASE_PATH that is no database file', () => {
  it('is refused before it is opened, saying why', () => {
    dir = mkdtempSync(join(tmpdir(), 'attune-db-'));
    symlinkSync('/dev/null', join(dir, 'null.db'));
    const refusals: [string, RegExp][] = [
      ['/proc/self/attune.db', /inside \/proc, which holds kernel or device files/],
      ['/sys/attune.db', /inside \/sys/],
      ['/dev/null', /inside \/dev/],
      [join(dir, 'null.db'), /inside \/dev/],
      [dir, /is a folder, not a regular file/],
    ];
    for (const [path, reason] of refusals) {
      expect(() => openDatabase(path), path).toThrow(reason);
      expect(() => openReadOnlyDatabase(path), path).toThrow(reason);
    }
    expect(databasePathProblem(join(dir, 'new', 'attune.db'))).toBeUndefined();
  });
});
