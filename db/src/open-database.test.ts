import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from './open-database.ts';
import { insertUser } from './queries/users.ts';
import { insertUserSession } from './queries/user-sessions.ts';

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
    const tables = raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all();
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
    const indexes = raw.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'conversation_turns'").pluck().all();
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
      expect(() => insertUserSession(database.db, { userId: 'no-such-user', roomName: 'r', participantIdentity: 'x' }, 1)).toThrow(/FOREIGN KEY/);
    } finally {
      database.close();
    }
  });

  it('reopens an existing file without losing rows or re-running migrations', () => {
    const path = tempPath();
    const first = openDatabase(path);
    const user = insertUser(first.db, { email: 'keep@example.org', fullName: 'Keep', passwordHash: 'h' }, 1);
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
        insertUser(database.db, { email: 'r@example.org', fullName: 'R', passwordHash: 'h', role: 'root' as 'user' }, 1),
      ).toThrow(/CHECK constraint/);
    } finally {
      database.close();
    }
  });
});
