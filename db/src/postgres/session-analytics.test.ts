import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresDatabase, openPostgresDatabase } from '../open-postgres.ts';
import { type TestPostgresDatabase, createTestPostgresDatabase } from '../postgres-server.ts';
import {
  REPORT_GROUPINGS,
  type SessionFilter,
  sessionDurationReport,
} from '../queries/session-analytics.ts';
import { insertSyntheticSessions, insertTestUsers, openTempDatabase } from '../testing.ts';
import { copyUsersAndSessions } from './copy-from-sqlite.ts';
import { sessionDurationReportPg } from './session-analytics.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1);

describe('the session duration report on PostgreSQL', () => {
  const sqlite = openTempDatabase();
  let server: TestPostgresDatabase;
  let postgres: PostgresDatabase;
  let userIds: string[];

  beforeAll(async () => {
    userIds = insertTestUsers(sqlite.db, ...Array.from({ length: 60 }, (_, i) => `user${i}`));
    insertSyntheticSessions(sqlite.connection, {
      userIds,
      count: 4_000,
      fromMs: T0,
      spanMs: 30 * DAY,
      seed: 23,
    });
    server = await createTestPostgresDatabase();
    postgres = await openPostgresDatabase(server.url, { poolSize: 2 });
    await copyUsersAndSessions(sqlite.db, postgres.db);
  });

  afterAll(async () => {
    await postgres?.close();
    await server?.drop();
    sqlite.remove();
  });

  it('gives the same figures as SQLite, field by field, for every grouping and filter', async () => {
    const room = (
      sqlite.connection
        .prepare(`SELECT room_name FROM user_sessions GROUP BY room_name ORDER BY count(*) DESC`)
        .get() as { room_name: string }
    ).room_name;
    const filters: SessionFilter[] = [
      { fromMs: T0, toMs: T0 + 30 * DAY },
      { fromMs: T0 + 3.5 * DAY + 1_234, toMs: T0 + 17 * DAY + 39_000_001 },
      { fromMs: T0, toMs: T0 + 30 * DAY, userId: userIds[0] },
      { fromMs: T0 + 2 * DAY, toMs: T0 + 25 * DAY, roomName: room },
      { fromMs: T0 + 40 * DAY, toMs: T0 + 41 * DAY },
    ];
    for (const filter of filters)
      for (const groupBy of REPORT_GROUPINGS) {
        const expected = sessionDurationReport(sqlite.db, filter, groupBy);
        expect(
          await sessionDurationReportPg(postgres.db, filter, groupBy),
          `${groupBy} ${JSON.stringify(filter)}`,
        ).toEqual(expected);
      }
    const byUser = sessionDurationReport(sqlite.db, filters[0]!, 'user');
    expect(byUser.groups.length).toBe(60);
    expect(byUser.overall.sessions).toBeGreaterThan(3_000);
    expect(typeof byUser.overall.p99Seconds).toBe('number');
  });
});
