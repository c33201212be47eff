import { type SQLWrapper } from 'drizzle-orm';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  insertEndedSession,
  insertSyntheticSessions,
  insertTestUsers,
  openTempDatabase,
  referenceDurationStats,
  referenceSessionReport,
  seededRandom,
} from '../testing.ts';
import {
  REPORT_GROUPINGS,
  type SessionFilter,
  listSessions,
  sessionDurationReport,
} from './session-analytics.ts';
import { insertUserSession } from './user-sessions.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1);

let database: ReturnType<typeof openTempDatabase>;
let users: string[];
beforeEach(() => {
  database = openTempDatabase();
  users = insertTestUsers(database.db, 'ana', 'ben', 'cy');
});
afterEach(() => database.remove());

interface Generated {
  userId: string;
  room: string;
  issuedAt: number;
  start: number;
  duration: number;
}

function generate(count: number): Generated[] {
  const next = seededRandom(7);
  const made: Generated[] = [];
  for (let i = 0; i < count; i += 1) {
    const userId = users[Math.floor(next() * users.length)]!;
    const room = `room-${Math.floor(next() * 4)}`;
    const start = T0 + Math.floor(next() * 5 * DAY);
    const duration = 1 + Math.floor(next() ** 2 * 1800);
    const issuedAt = start - 2_000;
    insertEndedSession(database.db, {
      userId,
      roomName: room,
      issuedAtMs: issuedAt,
      startMs: start,
      durationSeconds: duration,
    });
    made.push({ userId, room, issuedAt, start, duration });
  }
  return made;
}

function expectStats(actual: object, durations: number[]) {
  const expected = referenceDurationStats(durations);
  for (const [field, value] of Object.entries(expected)) {
    expect((actual as Record<string, number>)[field], field).toBeCloseTo(value, 6);
  }
}

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('sessionDurationReport', () => {
  it('matches figures computed independently, per day, per user, per room and overall', () => {
    const sessions = generate(600);
    const filter: SessionFilter = { fromMs: T0 + DAY, toMs: T0 + 4 * DAY };
    const inPeriod = sessions.filter((s) => s.start >= filter.fromMs && s.start < filter.toMs);

    const mintedInPeriod = sessions.filter(
      (s) => s.issuedAt >= filter.fromMs && s.issuedAt < filter.toMs,
    );

    for (const [groupBy, keyOf, tokenKeyOf] of [
      ['day', (s: Generated) => dayOf(s.start), (s: Generated) => dayOf(s.issuedAt)],
      ['user', (s: Generated) => s.userId, (s: Generated) => s.userId],
      ['room', (s: Generated) => s.room, (s: Generated) => s.room],
    ] as const) {
      const report = sessionDurationReport(database.db, filter, groupBy);
      const keys = [...new Set([...inPeriod.map(keyOf), ...mintedInPeriod.map(tokenKeyOf)])].sort();
      expect(report.groups.map((g) => g.key)).toEqual(keys);
      for (const group of report.groups) {
        const durations = inPeriod.filter((s) => keyOf(s) === group.key).map((s) => s.duration);
        if (durations.length > 0) expectStats(group, durations);
        else expect(group.sessions).toBe(0);
        const minted = mintedInPeriod.filter((s) => tokenKeyOf(s) === group.key).length;
        expect(group.tokens).toEqual({ issued: minted, joined: minted, expired: 0, pending: 0 });
      }
      expectStats(
        report.overall,
        inPeriod.map((s) => s.duration),
      );
    }
    const byUser = sessionDurationReport(database.db, filter, 'user');
    expect(byUser.groups.find((g) => g.key === users[0])?.label).toBe('ana@example.org');
  });

  it('filters by user and room, and counts what became of the tokens', () => {
    const sessions = generate(200);
    const [ana] = users as [string];
    const unused = insertUserSession(
      database.db,
      { userId: ana, roomName: 'room-1', participantIdentity: ana },
      T0 + 1000,
    ).id;
    insertUserSession(
      database.db,
      { userId: ana, roomName: 'room-1', participantIdentity: ana },
      T0 + 2000,
    );
    database.connection
      .prepare("UPDATE user_sessions SET status = 'expired' WHERE id = ?")
      .run(unused);

    const filter: SessionFilter = {
      fromMs: T0,
      toMs: T0 + 10 * DAY,
      userId: ana,
      roomName: 'room-1',
    };
    const report = sessionDurationReport(database.db, filter, 'day');
    const mine = sessions.filter((s) => s.userId === ana && s.room === 'room-1');
    expectStats(
      report.overall,
      mine.map((s) => s.duration),
    );
    expect(report.tokens).toEqual({
      issued: mine.length + 2,
      joined: mine.length,
      expired: 1,
      pending: 1,
    });
  });

  it('reports zeros and nulls for an empty period', () => {
    const report = sessionDurationReport(database.db, { fromMs: 0, toMs: 1 }, 'room');
    expect(report).toEqual({
      groups: [],
      overall: {
        sessions: 0,
        totalSeconds: 0,
        meanSeconds: null,
        p50Seconds: null,
        p90Seconds: null,
        p99Seconds: null,
        maxSeconds: null,
      },
      tokens: { issued: 0, joined: 0, expired: 0, pending: 0 },
    });
  });
});

describe('sessionDurationReport over generated traffic', () => {
  /** A few thousand sessions of 60 users over 30 days, with the generator's spread of outcomes. */
  function generateTraffic() {
    const many = insertTestUsers(database.db, ...Array.from({ length: 60 }, (_, i) => `user${i}`));
    insertSyntheticSessions(database.connection, {
      userIds: many,
      count: 4_000,
      fromMs: T0,
      spanMs: 30 * DAY,
      seed: 11,
    });
    // Sessions ended by an admin or the agent, and one still running, beside LiveKit's.
    database.connection.exec(`
      UPDATE user_sessions SET end_source = 'admin', end_reason = 'terminated'
        WHERE rowid IN (SELECT rowid FROM user_sessions WHERE status = 'ended' LIMIT 20);
      UPDATE user_sessions SET status = 'active', session_end = NULL, duration_seconds = NULL
        WHERE rowid IN (SELECT rowid FROM user_sessions WHERE status = 'ended' LIMIT 15 OFFSET 40);`);
    return many;
  }

  it('equals the plain computation field by field, for every grouping and filter', () => {
    const many = generateTraffic();
    const room = (
      database.connection
        .prepare(`SELECT room_name FROM user_sessions GROUP BY room_name ORDER BY count(*) DESC`)
        .get() as { room_name: string }
    ).room_name;
    const filters: SessionFilter[] = [
      { fromMs: T0, toMs: T0 + 30 * DAY },
      // Boundaries inside a day: groups at both ends hold part of their day.
      { fromMs: T0 + 3.5 * DAY + 1_234, toMs: T0 + 17 * DAY + 39_000_001 },
      { fromMs: T0, toMs: T0 + 30 * DAY, userId: many[0] },
      { fromMs: T0 + 2 * DAY, toMs: T0 + 25 * DAY, roomName: room },
      { fromMs: T0, toMs: T0 + 30 * DAY, userId: many[1], roomName: room },
      { fromMs: T0 + 40 * DAY, toMs: T0 + 41 * DAY },
    ];
    for (const filter of filters) {
      for (const groupBy of REPORT_GROUPINGS) {
        const report = sessionDurationReport(database.db, filter, groupBy);
        expect(report, `${groupBy} ${JSON.stringify(filter)}`).toEqual(
          referenceSessionReport(database.db, filter, groupBy),
        );
      }
    }
    const all = sessionDurationReport(database.db, filters[0]!, 'user');
    expect(all.groups.length).toBeGreaterThan(50);
    expect(all.overall.sessions).toBeGreaterThan(3_000);
    expect(all.tokens.expired).toBeGreaterThan(100);
  });

  it('reads each part through a covering index in group order, never sorting the sessions', () => {
    generateTraffic();
    const plans: string[] = [];
    // Every statement the report runs, explained instead of only run.
    const explaining = new Proxy(database.db, {
      get(target, property, receiver) {
        if (property !== 'all') return Reflect.get(target, property, receiver) as unknown;
        return (query: SQLWrapper) => {
          const { sql: text, params } = new SQLiteSyncDialect().sqlToQuery(query.getSQL());
          const plan = database.connection.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...params) as {
            detail: string;
          }[];
          plans.push(plan.map((row) => row.detail).join('\n'));
          return target.all<unknown>(query);
        };
      },
    });
    for (const groupBy of REPORT_GROUPINGS)
      sessionDurationReport(explaining, { fromMs: T0, toMs: T0 + 30 * DAY }, groupBy);
    expect(plans).toHaveLength(6);
    for (const plan of plans) {
      expect(plan).toMatch(
        /USING COVERING INDEX user_sessions_(ended|issued)_|USING COVERING INDEX user_sessions_(user_status|room_identity)_idx/,
      );
      expect(plan).not.toContain('TEMP B-TREE');
    }
  });
});

describe('listSessions', () => {
  it('pages through sessions newest first without skipping or repeating any', () => {
    generate(53);
    const seen: string[] = [];
    let after;
    do {
      const page = listSessions(database.db, { filter: {}, limit: 10, after });
      seen.push(...page.sessions.map((s) => s.id));
      after = page.next ?? undefined;
    } while (after);
    const all = database.connection
      .prepare('SELECT id FROM user_sessions ORDER BY issued_at DESC, id DESC')
      .all() as { id: string }[];
    expect(seen).toEqual(all.map((r) => r.id));
  });

  it('scopes the listing to one user', () => {
    generate(40);
    const [, ben] = users as [string, string];
    const page = listSessions(database.db, { filter: { userId: ben }, limit: 100 });
    expect(page.sessions.length).toBeGreaterThan(0);
    expect(page.sessions.every((s) => s.userId === ben)).toBe(true);
    expect(page.next).toBeNull();
  });
});

describe('session listing query plans', () => {
  it('pages through an index, with or without a status filter, never sorting the whole table', () => {
    for (const where of [
      '',
      "WHERE status = 'ended'",
      "WHERE status = 'ended' AND issued_at >= 0 AND issued_at < 9e15",
      'WHERE issued_at >= 0',
    ]) {
      const plan = database.connection
        .prepare(
          `EXPLAIN QUERY PLAN SELECT * FROM user_sessions ${where} ORDER BY issued_at DESC, id DESC LIMIT 51`,
        )
        .all() as { detail: string }[];
      const details = plan.map((row) => row.detail).join('\n');
      expect(details, where).toMatch(/user_sessions_(status_)?issued_idx/);
      expect(details, where).not.toContain('TEMP B-TREE');
    }
  });
});
