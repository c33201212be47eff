import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresDatabase, openPostgresDatabase } from './open-postgres.ts';
import { type TestPostgresDatabase, createTestPostgresDatabase } from './postgres-server.ts';
import * as pgSchema from './schema.pg.ts';
import * as sqliteSchema from './schema.ts';
import { openTempDatabase } from './testing.ts';

/** Times chosen to catch rounding: whole seconds, .999 ms, day boundaries, and NULLs. */
const sessions = [
  {
    id: 's1',
    issuedAt: Date.UTC(2026, 0, 1, 0, 0, 0, 0),
    start: Date.UTC(2026, 0, 1, 0, 0, 1, 1),
    end: Date.UTC(2026, 0, 1, 0, 5, 0, 999),
  },
  {
    id: 's2',
    issuedAt: Date.UTC(2026, 5, 30, 23, 59, 59, 999),
    start: Date.UTC(2026, 5, 30, 23, 59, 59, 999),
    end: Date.UTC(2026, 6, 1, 0, 0, 30, 500),
  },
  { id: 's3', issuedAt: Date.UTC(2026, 11, 7, 12, 34, 56, 789), start: null, end: null },
  { id: 's4', issuedAt: 1_796_644_800_123, start: 1_796_644_801_456, end: 1_796_648_400_001 },
];

describe('the session_durations view', () => {
  let server: TestPostgresDatabase;
  let postgres: PostgresDatabase;
  const sqlite = openTempDatabase();

  beforeAll(async () => {
    server = await createTestPostgresDatabase();
    postgres = await openPostgresDatabase(server.url, { poolSize: 1 });
  });

  afterAll(async () => {
    await postgres?.close();
    await server?.drop();
    sqlite.remove();
  });

  it('gives analysts the same rows, text for text, on SQLite and PostgreSQL', async () => {
    const user = { id: 'u1', email: 'ana@example.com', fullName: 'Ana', createdAt: 1 };
    const rows = sessions.map((s) => ({
      id: s.id,
      userId: user.id,
      roomName: `room-${s.id}`,
      participantIdentity: user.id,
      issuedAt: s.issuedAt,
      sessionStart: s.start,
      sessionEnd: s.end,
      durationSeconds:
        s.start === null || s.end === null ? null : Math.round((s.end - s.start) / 1000),
      status: s.end === null ? ('issued' as const) : ('ended' as const),
      endReason: s.end === null ? null : 'participant_left',
    }));
    sqlite.db.insert(sqliteSchema.users).values(user).run();
    sqlite.db.insert(sqliteSchema.userSessions).values(rows).run();
    await postgres.db.insert(pgSchema.users).values(user);
    await postgres.db.insert(pgSchema.userSessions).values(rows);

    const fromSqlite = sqlite.connection
      .prepare('SELECT * FROM session_durations ORDER BY session_id')
      .all();
    const fromPostgres = (
      await postgres.pool.query('SELECT * FROM session_durations ORDER BY session_id')
    ).rows;
    expect(fromPostgres).toEqual(fromSqlite);
    expect(fromSqlite[1]).toMatchObject({
      issued_at: '2026-06-30T23:59:59.999Z',
      day: '2026-06-30',
      session_end: '2026-07-01T00:00:30.500Z',
    });
  });
});
