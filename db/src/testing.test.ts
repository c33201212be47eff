import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertSyntheticSessions, insertTestUsers, openTempDatabase } from './testing.ts';

const DAY = 86_400_000;
const FROM = Date.UTC(2026, 0, 1);
const COUNT = 20_000;

let database: ReturnType<typeof openTempDatabase>;
beforeAll(() => {
  database = openTempDatabase();
  const userIds = database.connection.transaction(() =>
    insertTestUsers(database.db, ...Array.from({ length: 2_000 }, (_, i) => `u${i}`)),
  )();
  insertSyntheticSessions(database.connection, {
    userIds,
    count: COUNT,
    fromMs: FROM,
    spanMs: 60 * DAY,
  });
});
afterAll(() => database.remove());

const one = <T>(query: string) => database.connection.prepare(query).get() as T;

describe('insertSyntheticSessions', () => {
  it('writes distinct sessions, not a short cycle of the same few (the float LCG repeated ~2,000)', () => {
    const counts = one<{ sessions: number; times: number; pairs: number; users: number }>(
      `SELECT count(*) AS sessions, count(DISTINCT issued_at) AS times,
         count(DISTINCT user_id || '/' || room_name) AS pairs, count(DISTINCT user_id) AS users
       FROM user_sessions`,
    );
    expect(counts.sessions).toBe(COUNT);
    expect(counts.times).toBeGreaterThan(COUNT * 0.99);
    expect(counts.pairs).toBeGreaterThan(5_000);
    expect(counts.users).toBeGreaterThan(1_500);
  });

  it('spreads sessions over every day of the span, more on weekdays and in the daytime', () => {
    const days = database.connection
      .prepare(
        `SELECT issued_at / ${DAY} AS day, count(*) AS n FROM user_sessions GROUP BY day ORDER BY day`,
      )
      .all() as { day: number; n: number }[];
    expect(days).toHaveLength(60);
    const afternoon = one<{ share: number }>(
      `SELECT avg((issued_at % ${DAY}) / 3600000 BETWEEN 10 AND 17) AS share FROM user_sessions`,
    ).share;
    expect(afternoon).toBeGreaterThan(0.45);
    // Usage grows: the last ten days hold more sessions than the first ten.
    const sum = (list: { n: number }[]) => list.reduce((total, d) => total + d.n, 0);
    expect(sum(days.slice(-10))).toBeGreaterThan(2 * sum(days.slice(0, 10)));
  });

  it('ends most sessions, with durations spread from seconds to hours, and leaves tokens unused', () => {
    const byStatus = Object.fromEntries(
      (
        database.connection
          .prepare('SELECT status, count(*) AS n FROM user_sessions GROUP BY status')
          .all() as { status: string; n: number }[]
      ).map((r) => [r.status, r.n]),
    );
    expect(byStatus.ended).toBeGreaterThan(COUNT * 0.85);
    expect(byStatus.expired).toBeGreaterThan(COUNT * 0.05);
    const spread = one<{ durations: number; short: number; long: number; p50: number }>(
      `SELECT count(DISTINCT duration_seconds) AS durations, sum(duration_seconds < 30) AS short,
         sum(duration_seconds > 3600) AS long, percentile(duration_seconds, 50) AS p50
       FROM user_sessions WHERE status = 'ended'`,
    );
    expect(spread.durations).toBeGreaterThan(1_500);
    expect(spread.short).toBeGreaterThan(100);
    expect(spread.long).toBeGreaterThan(30);
    expect(spread.p50).toBeGreaterThan(120);
    expect(spread.p50).toBeLessThan(480);
    const crossing = one<{ n: number }>(
      `SELECT count(*) AS n FROM user_sessions WHERE session_start / ${DAY} != issued_at / ${DAY}`,
    ).n;
    expect(crossing).toBeGreaterThan(0);
  });
});
