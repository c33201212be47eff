import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { getTableName } from 'drizzle-orm';
import { type AttuneDatabase, type Db, openConnection } from './open-database.ts';
import type { PgDb } from './open-postgres.ts';
import { updateSessionTimeline } from './queries/session-timeline.ts';
import { insertUserSession } from './queries/user-sessions.ts';
import { insertUser } from './queries/users.ts';
import * as pgSchema from './schema.pg.ts';
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
  schema.actionTokens,
  schema.loginThrottle,
];

/** Every row of every table, for tests that assert a request changed nothing. */
export function snapshotTables(db: Db): Record<string, unknown[]> {
  return Object.fromEntries(
    TABLES.map((table) => [getTableName(table), db.select().from(table).all()]),
  );
}

const PG_TABLES = [
  pgSchema.users,
  pgSchema.refreshTokens,
  pgSchema.rooms,
  pgSchema.userSessions,
  pgSchema.userPreferences,
  pgSchema.conversationTurns,
  pgSchema.webhookEvents,
  pgSchema.auditLog,
  pgSchema.actionTokens,
  pgSchema.loginThrottle,
];

/** `snapshotTables` on PostgreSQL: every row of every table, under the same names and fields. */
export async function snapshotPostgresTables(db: PgDb): Promise<Record<string, unknown[]>> {
  return Object.fromEntries(
    await Promise.all(
      PG_TABLES.map(async (table): Promise<[string, unknown[]]> => [
        getTableName(table),
        await db.select().from(table),
      ]),
    ),
  );
}

/**
 * A migrated database in a fresh temp folder, with its raw connection for tests that need
 * pragmas; `remove()` closes it and deletes the folder.
 */
export function openTempDatabase(): AttuneDatabase & {
  connection: Database.Database;
  remove(): void;
} {
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
  return names.map(
    (name) =>
      insertUser(db, { email: `${name}@example.org`, fullName: name, passwordHash: 'unused' }, 0)!
        .id,
  );
}

/**
 * Writes `count` sessions spread over `userIds`, 50 rooms and `spanMs` from `fromMs` in one
 * transaction: 90% ended (durations 1 s to 1 h, skewed short), 5% expired tokens, 5% still issued.
 * Deterministic for a given seed. For benchmarks of the analytics over many sessions.
 */
export function insertSyntheticSessions(
  connection: Database.Database,
  input: {
    userIds: readonly string[];
    count: number;
    fromMs: number;
    spanMs: number;
    seed?: number;
  },
): void {
  let state = input.seed ?? 1;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const insert = connection.prepare(
    `INSERT INTO user_sessions (id, user_id, room_name, participant_identity, issued_at, session_start, session_end,
       duration_seconds, status, end_reason, last_join_at, end_source)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // A million random inserts into five indexes thrash the default 2 MB page cache.
  const cacheSize = connection.pragma('cache_size', { simple: true }) as number;
  connection.pragma('cache_size = -262144');
  connection.transaction(() => {
    for (let i = 0; i < input.count; i += 1) {
      const userId = input.userIds[Math.floor(next() * input.userIds.length)]!;
      const room = `room-${Math.floor(next() * 50)}`;
      const issuedAt = input.fromMs + Math.floor(next() * input.spanMs);
      const kind = next();
      const id = `synthetic-${i}`;
      if (kind < 0.9) {
        const start = issuedAt + 1_500;
        const duration = 1 + Math.floor(next() ** 3 * 3_600);
        insert.run(
          id,
          userId,
          room,
          userId,
          issuedAt,
          start,
          start + duration * 1000,
          duration,
          'ended',
          'participant_left',
          start,
          'livekit',
        );
      } else {
        const status = kind < 0.95 ? 'expired' : 'issued';
        insert.run(
          id,
          userId,
          room,
          userId,
          issuedAt,
          null,
          null,
          null,
          status,
          status === 'expired' ? 'token_unused' : null,
          null,
          null,
        );
      }
    }
  })();
  connection.pragma(`cache_size = ${cacheSize}`);
  connection.pragma('wal_checkpoint(TRUNCATE)');
}

/**
 * Duration statistics computed in plain TypeScript, for tests that check the SQL report against
 * an independent computation. Percentiles interpolate linearly between the closest ranks (what
 * SQLite's percentile() and numpy's default compute).
 */
export function referenceDurationStats(durations: readonly number[]) {
  const sorted = [...durations].sort((a, b) => a - b);
  const percentile = (p: number) => {
    const rank = ((sorted.length - 1) * p) / 100;
    const lo = Math.floor(rank);
    const hi = Math.ceil(rank);
    return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
  };
  const total = sorted.reduce((a, b) => a + b, 0);
  return {
    sessions: sorted.length,
    totalSeconds: total,
    meanSeconds: total / sorted.length,
    p50Seconds: percentile(50),
    p90Seconds: percentile(90),
    p99Seconds: percentile(99),
    maxSeconds: sorted.at(-1)!,
  };
}

/** A session that was issued, joined at `startMs` and left `durationSeconds` later, as LiveKit reported. */
export function insertEndedSession(
  db: Db,
  input: {
    userId: string;
    roomName: string;
    issuedAtMs: number;
    startMs: number;
    durationSeconds: number;
  },
): string {
  const { userId, roomName, startMs, durationSeconds } = input;
  const id = insertUserSession(
    db,
    { userId, roomName, participantIdentity: userId },
    input.issuedAtMs,
  ).id;
  updateSessionTimeline(db, id, {
    sessionStart: startMs,
    lastJoinAt: startMs,
    sessionEnd: startMs + durationSeconds * 1000,
    durationSeconds,
    status: 'ended',
    endReason: 'participant_left',
    endSource: 'livekit',
  });
  return id;
}
