import { getTableName } from 'drizzle-orm';
import type { Db } from './open-database.ts';
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
