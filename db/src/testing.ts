import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { getTableName } from 'drizzle-orm';
import { type AttuneDatabase, type Db, openConnection } from './open-database.ts';
import type { PgDb } from './open-postgres.ts';
import type {
  ReportGrouping,
  SessionFilter,
  SessionReport,
  TokenCounts,
} from './queries/session-analytics.ts';
import { updateSessionTimeline } from './queries/session-timeline.ts';
import { insertUserSession } from './queries/user-sessions.ts';
import { insertUser } from './queries/users.ts';
import * as pgSchema from './schema.pg.ts';
import * as schema from './schema.ts';
import type { EndSource, SessionStatus } from './schema.ts';
import { seededRandom } from './seeded-random.ts';

export { copyUsersAndSessions } from './postgres/copy-from-sqlite.ts';

export { seededRandom };

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

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Writes `count` token-minting sessions in one transaction, shaped like a growing deployment's:
 * - users: `userIds`, some far busier than others;
 * - rooms: each user has 1 to `maxRoomsPerUser` rooms of their own (some used more than others),
 *   and 5% of sessions are in a fresh server-named room used once;
 * - time: over `spanMs` from `fromMs`, more sessions later in the span (usage grows), more by day
 *   than at night (UTC), fewer at weekends; the join comes 0.3 s to a minute after the token, so
 *   some sessions start on the day after their token was minted;
 * - outcome: 9% of tokens are never used (`expired`, or `issued` while still within their 10
 *   minutes at the span's end); sessions still running at the span's end are `active`; the rest
 *   ended, with durations log-normal around 4 minutes (1 s to the 4 h session cap, which the sweep
 *   ends as `timeout`).
 * Deterministic for a given seed. For tests and benchmarks of the analytics over many sessions.
 */
export function insertSyntheticSessions(
  connection: Database.Database,
  input: {
    userIds: readonly string[];
    count: number;
    fromMs: number;
    spanMs: number;
    seed?: number;
    maxRoomsPerUser?: number;
  },
): void {
  const next = seededRandom(input.seed ?? 1);
  const maxRooms = input.maxRoomsPerUser ?? 5;
  const nowMs = input.fromMs + input.spanMs;
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const hex = () =>
    Math.floor(next() * 2 ** 32)
      .toString(16)
      .padStart(8, '0');
  const uuid = () => {
    const h = hex() + hex() + hex() + hex();
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
  };
  /** When a token is minted: rejection-sampled for growth, time of day and weekday. */
  const mintedAt = () => {
    for (;;) {
      const at = input.fromMs + Math.floor(Math.sqrt(next()) * input.spanMs);
      const hour = (at % DAY_MS) / HOUR_MS;
      const weekday = new Date(at).getUTCDay();
      const weight =
        (0.15 + Math.exp(-((hour - 14) ** 2) / 32)) * (weekday === 0 || weekday === 6 ? 0.6 : 1);
      if (next() * 1.15 < weight) return at;
    }
  };
  const insert = connection.prepare(
    `INSERT INTO user_sessions (id, user_id, room_name, participant_identity, issued_at, session_start, session_end,
       duration_seconds, status, end_reason, last_join_at, end_source)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // A million random inserts into seven indexes thrash the default 2 MB page cache.
  const cacheSize = connection.pragma('cache_size', { simple: true }) as number;
  connection.pragma('cache_size = -262144');
  connection.transaction(() => {
    for (let i = 0; i < input.count; i += 1) {
      const userIndex = Math.floor(input.userIds.length * next() ** 1.5);
      const userId = input.userIds[userIndex]!;
      const roomsOfUser = 1 + ((Math.imul(userIndex + 1, 0x9e3779b1) >>> 0) % maxRooms);
      const room =
        next() < 0.05
          ? `attune-${uuid().replaceAll('-', '')}`
          : `room-${userIndex}-${Math.floor(roomsOfUser * next() ** 2)}`;
      const issuedAt = mintedAt();
      const id = uuid();
      const row = { start: null as number | null, end: null as number | null };
      let duration: number | null = null;
      let status: SessionStatus;
      let endReason: string | null = null;
      let endSource: EndSource | null = null;
      if (next() < 0.09) {
        status = issuedAt + 10 * 60_000 > nowMs ? 'issued' : 'expired';
        if (status === 'expired') endReason = 'token_unused';
      } else {
        row.start = issuedAt + 300 + Math.floor(next() ** 4 * 60_000);
        duration = Math.min(14_400, Math.max(1, Math.round(240 * Math.exp(normal()))));
        const end = row.start + duration * 1000;
        if (end > nowMs) {
          status = 'active';
          duration = null;
        } else {
          status = 'ended';
          row.end = end;
          [endReason, endSource] =
            duration === 14_400
              ? ['timeout', 'sweep']
              : next() < 0.05
                ? ['room_finished', 'livekit']
                : ['participant_left', 'livekit'];
        }
      }
      insert.run(
        id,
        userId,
        room,
        userId,
        issuedAt,
        row.start,
        row.end,
        duration,
        status,
        endReason,
        row.start,
        endSource,
      );
    }
  })();
  connection.pragma(`cache_size = ${cacheSize}`);
  connection.pragma('wal_checkpoint(TRUNCATE)');
}

/**
 * Duration statistics computed in plain TypeScript, for tests that check the SQL report against
 * an independent computation. Percentiles interpolate linearly between the closest ranks (what
 * SQLite's percentile(), PostgreSQL's percentile_cont and numpy's default compute), with the rank
 * computed as `(p / 100) * (n - 1)` as SQLite and PostgreSQL do, so the figures agree to the bit.
 */
export function referenceDurationStats(durations: readonly number[]) {
  const sorted = [...durations].sort((a, b) => a - b);
  const percentile = (p: number) => {
    const rank = (p / 100) * (sorted.length - 1);
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

/**
 * The session duration report computed the plain way: every session row read into TypeScript,
 * filtered, grouped and summed there, with {@link referenceDurationStats} per group. Independent
 * of the SQL report (no index, no SQL aggregate), for tests and the benchmark to compare it with.
 */
export function referenceSessionReport(
  db: Db,
  filter: SessionFilter,
  groupBy: ReportGrouping,
): SessionReport {
  const s = schema.userSessions;
  const rows = db
    .select({
      userId: s.userId,
      roomName: s.roomName,
      issuedAt: s.issuedAt,
      sessionStart: s.sessionStart,
      durationSeconds: s.durationSeconds,
      status: s.status,
    })
    .from(s)
    .all();
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const keyOf = (row: (typeof rows)[number], ms: number) =>
    groupBy === 'day' ? day(ms) : groupBy === 'user' ? row.userId : row.roomName;
  const inPeriod = (ms: number | null) => ms !== null && ms >= filter.fromMs && ms < filter.toMs;
  const durations = new Map<string, number[]>();
  const tokens = new Map<string, TokenCounts>();
  for (const row of rows) {
    if (filter.userId !== undefined && row.userId !== filter.userId) continue;
    if (filter.roomName !== undefined && row.roomName !== filter.roomName) continue;
    if (row.status === 'ended' && row.durationSeconds !== null && inPeriod(row.sessionStart)) {
      const key = keyOf(row, row.sessionStart!);
      const list = durations.get(key) ?? [];
      list.push(row.durationSeconds);
      durations.set(key, list);
    }
    if (inPeriod(row.issuedAt)) {
      const key = keyOf(row, row.issuedAt);
      const counts = tokens.get(key) ?? { issued: 0, joined: 0, expired: 0, pending: 0 };
      counts.issued += 1;
      if (row.sessionStart !== null) counts.joined += 1;
      if (row.status === 'expired') counts.expired += 1;
      if (row.status === 'issued') counts.pending += 1;
      tokens.set(key, counts);
    }
  }
  const emails = new Map(
    db
      .select({ id: schema.users.id, email: schema.users.email })
      .from(schema.users)
      .all()
      .map((u) => [u.id, u.email]),
  );
  const statsOf = (values: readonly number[]) =>
    values.length === 0
      ? {
          sessions: 0,
          totalSeconds: 0,
          meanSeconds: null,
          p50Seconds: null,
          p90Seconds: null,
          p99Seconds: null,
          maxSeconds: null,
        }
      : referenceDurationStats(values);
  const none: TokenCounts = { issued: 0, joined: 0, expired: 0, pending: 0 };
  const keys = [...new Set([...durations.keys(), ...tokens.keys()])].sort((a, b) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  const total = { ...none };
  for (const counts of tokens.values())
    for (const field of Object.keys(total) as (keyof TokenCounts)[]) total[field] += counts[field];
  return {
    groups: keys.map((key) => ({
      key,
      label: groupBy === 'user' ? (emails.get(key) ?? null) : null,
      ...statsOf(durations.get(key) ?? []),
      tokens: tokens.get(key) ?? none,
    })),
    overall: statsOf([...durations.values()].flat()),
    tokens: total,
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
