import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getTableName } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import { openConnection, type AttuneDatabase, type Db } from './open-database.ts';
import { insertUser } from './queries/users.ts';
import * as schema from './schema.ts';

const TABLES = [
  schema.users,
  schema.refreshTokens,
  schema.rooms,
  schema.userSessions,
  schema.userPreferences,
  schema.conversationTurns,
  schema.webhookEvents,
  schema.auditLog,
];

/** Every row of every table, for tests that assert a request changed nothing. */
export function snapshotTables(db: Db): Record<string, unknown[]> {
  return Object.fromEntries(TABLES.map((table) => [getTableName(table), db.select().from(table).all()]));
}

/**
 * A migrated database in a fresh temp folder, with its raw connection for tests that need
 * pragmas; `remove()` closes it and deletes the folder.
 */
export function openTempDatabase(): AttuneDatabase & { connection: Database.Database; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'attune-db-'));
  const { database, connection } = openConnection(join(dir, 'attune.db'));
  return {
    ...database,
    connection,
    remove() {
      database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Writes `count` alternating user/assistant turns for one user in a single transaction, one per
 * second from `startMs`, spread over sessions of `turnsPerSession` turns (session ids are not
 * linked to user_sessions rows). For tests and benchmarks of long histories.
 */
export function insertSyntheticTurns(
  connection: Database.Database,
  input: { userId: string; count: number; startMs: number; turnsPerSession?: number },
): void {
  const perSession = input.turnsPerSession ?? 20;
  const insert = connection.prepare(
    'INSERT INTO conversation_turns (user_id, session_id, role, text, created_at) VALUES (?, NULL, ?, ?, ?)',
  );
  connection.transaction(() => {
    for (let i = 0; i < input.count; i += 1) {
      const role = i % 2 === 0 ? 'user' : 'assistant';
      const text = `${role === 'user' ? 'Question' : 'Answer'} ${i} in conversation ${Math.floor(i / perSession)}: a sentence of ordinary length about the weather, music and travel plans.`;
      insert.run(input.userId, role, text, input.startMs + i * 1000);
    }
  })();
}

/** Inserts one user per name (email `<name>@example.org`) and returns their ids in order. */
export function insertTestUsers(db: Db, ...names: string[]): string[] {
  return names.map((name) => insertUser(db, { email: `${name}@example.org`, fullName: name, passwordHash: 'unused' }, 0)!.id);
}
