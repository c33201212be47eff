/**
 * Copies rows of a SQLite Attune database into a PostgreSQL one, for tests and benchmarks that
 * compare the two engines on the same data (the synthetic sessions are generated in SQLite).
 */
import { asc, gt } from 'drizzle-orm';
import type { Db } from '../open-database.ts';
import type { PgDb } from '../open-postgres.ts';
import * as pgSchema from '../schema.pg.ts';
import * as sqliteSchema from '../schema.ts';

/** PostgreSQL takes at most 65,535 parameters a statement; 12 columns × 4,000 rows stay below. */
const ROWS_PER_INSERT = 4_000;

/** Copies every user and every session, in batches; the PostgreSQL tables must be empty. */
export async function copyUsersAndSessions(from: Db, to: PgDb): Promise<void> {
  const users = from.select().from(sqliteSchema.users).orderBy(asc(sqliteSchema.users.id)).all();
  for (let i = 0; i < users.length; i += ROWS_PER_INSERT)
    await to.insert(pgSchema.users).values(users.slice(i, i + ROWS_PER_INSERT));
  const sessions = sqliteSchema.userSessions;
  let after = '';
  for (;;) {
    const batch = from
      .select()
      .from(sessions)
      .where(gt(sessions.id, after))
      .orderBy(asc(sessions.id))
      .limit(ROWS_PER_INSERT)
      .all();
    if (batch.length === 0) break;
    await to.insert(pgSchema.userSessions).values(batch);
    after = batch.at(-1)!.id;
  }
  await to.execute('ANALYZE users; ANALYZE user_sessions');
}
