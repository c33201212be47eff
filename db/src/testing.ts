import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getTableName } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import { openConnection, type AttuneDatabase, type Db } from './open-database.ts';
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
