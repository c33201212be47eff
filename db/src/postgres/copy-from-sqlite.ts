/**
 * Copies rows of a SQLite Attune database into a PostgreSQL one, for tests and benchmarks that
 * compare the two engines on the same data (the synthetic sessions are generated in SQLite).
 */
import { asc, gt, sql } from 'drizzle-orm';
import type { Db } from '../open-database.ts';
import type { PgDb } from '../open-postgres.ts';
import * as pgSchema from '../schema.pg.ts';
import * as sqliteSchema from '../schema.ts';

/** Sessions per INSERT: each column travels as one array parameter, unnested on the server. */
const SESSIONS_PER_INSERT = 50_000;
/** PostgreSQL takes at most 65,535 parameters a statement; 10 columns × 4,000 users stay below. */
const USERS_PER_INSERT = 4_000;

/**
 * Copies every user and every session, in batches (the PostgreSQL tables must be empty), then
 * VACUUM ANALYZE: fresh statistics for the planner, and a visibility map that lets the report's
 * reads be index-only, as they would be on a database that has lived for a while.
 */
export async function copyUsersAndSessions(from: Db, to: PgDb): Promise<void> {
  const users = from.select().from(sqliteSchema.users).orderBy(asc(sqliteSchema.users.id)).all();
  for (let i = 0; i < users.length; i += USERS_PER_INSERT)
    await to.insert(pgSchema.users).values(users.slice(i, i + USERS_PER_INSERT));
  const sessions = sqliteSchema.userSessions;
  let after = '';
  for (;;) {
    const batch = from
      .select()
      .from(sessions)
      .where(gt(sessions.id, after))
      .orderBy(asc(sessions.id))
      .limit(SESSIONS_PER_INSERT)
      .all();
    if (batch.length === 0) break;
    // One parameter per column (node-postgres sends a JS array as a PostgreSQL array).
    const column = <K extends keyof (typeof batch)[number]>(key: K) =>
      sql.param(batch.map((row) => row[key]));
    await to.execute(sql`
      INSERT INTO user_sessions (id, user_id, room_name, participant_identity, issued_at,
        session_start, session_end, duration_seconds, status, end_reason, last_join_at, end_source)
      SELECT * FROM unnest(
        ${column('id')}::text[], ${column('userId')}::text[], ${column('roomName')}::text[],
        ${column('participantIdentity')}::text[], ${column('issuedAt')}::bigint[],
        ${column('sessionStart')}::bigint[], ${column('sessionEnd')}::bigint[],
        ${column('durationSeconds')}::integer[], ${column('status')}::text[],
        ${column('endReason')}::text[], ${column('lastJoinAt')}::bigint[],
        ${column('endSource')}::text[])`);
    after = batch.at(-1)!.id;
  }
  await to.execute(sql`VACUUM ANALYZE users`);
  await to.execute(sql`VACUUM ANALYZE user_sessions`);
}
