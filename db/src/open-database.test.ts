import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import { openConnection, openDatabase } from './open-database.ts';
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
      'audit_log',
      'conversation_turns',
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

describe('upgrading a database made by an earlier version', () => {
  it('adds the session-end columns and the session_durations view without losing any row', () => {
    const upgradeDir = mkdtempSync(join(tmpdir(), 'attune-upgrade-'));
    try {
      // The first release: only migration 0000.
      const firstRelease = join(upgradeDir, 'migrations-0000');
      cpSync(fileURLToPath(new URL('../migrations', import.meta.url)), firstRelease, {
        recursive: true,
      });
      const journalPath = join(firstRelease, 'meta', '_journal.json');
      const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as {
        entries: { idx: number }[];
      };
      writeFileSync(
        journalPath,
        JSON.stringify({ ...journal, entries: journal.entries.filter((e) => e.idx === 0) }),
      );
      const path = join(upgradeDir, 'attune.db');
      const old = new Database(path);
      old.pragma('foreign_keys = ON');
      migrate(drizzle(old), { migrationsFolder: firstRelease });
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
