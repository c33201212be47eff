import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual, promisify } from 'node:util';
import { authedGet, registerUser, startTestServer } from '@attune/auth-service/testing';
import {
  type AttuneDatabase,
  REPORT_GROUPINGS,
  type ReportGrouping,
  type SessionFilter,
  type SessionReport,
  insertUserSession,
  openPostgresDatabase,
  postgresStore,
  sessionDurationReport,
  setUserRole,
} from '@attune/db';
import {
  TEST_POSTGRES_URL_VAR,
  createTestPostgresDatabase,
  startPostgresServer,
} from '@attune/db/postgres-server';
import {
  copyUsersAndSessions,
  insertSyntheticSessions,
  insertTestUsers,
  openTempDatabase,
  referenceSessionReport,
} from '@attune/db/testing';

export interface SessionsBenchResult {
  webhooks: {
    events: number;
    concurrency: number;
    eventsPerSecond: number;
    latencyP50Ms: number;
    latencyP99Ms: number;
    failed: number;
  };
  analytics: {
    sessions: number;
    endedSessions: number;
    users: number;
    rooms: number;
    /** Groups in the report, per grouping. */
    groups: Record<ReportGrouping, number>;
    /** Median of three runs of the report over all of them, per grouping, in ms (the query alone). */
    queryMs: Record<ReportGrouping, number>;
    /** The same report computed the plain way (every row read into TypeScript): the baseline. */
    referenceMs: Record<ReportGrouping, number>;
    /** Whether the report equals the plain computation, field by field. */
    identical: Record<ReportGrouping, boolean>;
    /** GET /analytics/sessions?group_by=day over all of them: worker thread + JSON, median of three, ms. */
    apiMs: number;
    /** The same report on PostgreSQL, over the same rows copied there. */
    postgres?: {
      /** Median of three runs, per grouping, ms. */
      queryMs: Record<ReportGrouping, number>;
      /** Whether it equals SQLite's report, field by field. */
      identicalToSqlite: Record<ReportGrouping, boolean>;
      /** Copying the users and sessions in (batched INSERTs, then ANALYZE), s. */
      loadSeconds: number;
    };
  };
}

/**
 * The report over the same rows on PostgreSQL: a throwaway server (or ATTUNE_TEST_POSTGRES_URL's),
 * a fresh database, the rows copied from the SQLite file, then each grouping three times.
 */
async function benchPostgresReport(
  seed: AttuneDatabase,
  filter: SessionFilter,
  sqliteReports: Record<ReportGrouping, SessionReport>,
): Promise<NonNullable<SessionsBenchResult['analytics']['postgres']>> {
  const server = process.env[TEST_POSTGRES_URL_VAR] ? null : await startPostgresServer();
  if (server) process.env[TEST_POSTGRES_URL_VAR] = server.url;
  const target = await createTestPostgresDatabase();
  const postgres = await openPostgresDatabase(target.url, { poolSize: 2 });
  const store = postgresStore(postgres);
  try {
    const loadStarted = process.hrtime.bigint();
    await copyUsersAndSessions(seed.db, postgres.db);
    const loadSeconds = Math.round(Number(process.hrtime.bigint() - loadStarted) / 1e8) / 10;
    const queryMs = {} as Record<ReportGrouping, number>;
    const identicalToSqlite = {} as Record<ReportGrouping, boolean>;
    for (const groupBy of REPORT_GROUPINGS) {
      let report: SessionReport | undefined;
      const runs: number[] = [];
      for (let i = 0; i < 3; i += 1) {
        const started = process.hrtime.bigint();
        report = await store.analytics.report(filter, groupBy);
        runs.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      queryMs[groupBy] = Math.round(median(runs));
      identicalToSqlite[groupBy] = isDeepStrictEqual(report, sqliteReports[groupBy]);
    }
    return { queryMs, identicalToSqlite, loadSeconds };
  } finally {
    await postgres.close();
    await target.drop();
    if (server) {
      server.stop();
      delete process.env[TEST_POSTGRES_URL_VAR];
    }
  }
}

/** Users the analytics sessions are spread over (each with 1–5 rooms, plus one-off rooms). */
const USERS = 10_000;

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function benchWebhooks(
  sessions: number,
  concurrency: number,
): Promise<SessionsBenchResult['webhooks']> {
  const server = await startTestServer({ LOG_LEVEL: 'silent' });
  const dir = mkdtempSync(join(tmpdir(), 'attune-bench-webhooks-'));
  try {
    const userIds = insertTestUsers(
      server.database.db,
      ...Array.from({ length: 100 }, (_, i) => `hook${i}`),
    );
    const targets = Array.from({ length: sessions }, (_, i) => {
      const identity = userIds[i % userIds.length]!;
      const room = `bench-room-${i}`;
      return {
        room,
        identity,
        sessionId: insertUserSession(
          server.database.db,
          { userId: identity, roomName: room, participantIdentity: identity },
          Date.now(),
        ).id,
      };
    });
    const file = join(dir, 'targets.json');
    writeFileSync(file, JSON.stringify(targets));
    const { livekit } = server.config;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        // From the sources, as this process runs: no build needed (`pnpm bench sessions` skips it).
        '--conditions=@attune/source',
        '--import',
        'tsx',
        fileURLToPath(new URL('./webhook-load.ts', import.meta.url)),
        server.baseUrl,
        livekit.apiKey,
        livekit.apiSecret,
        file,
        String(concurrency),
      ],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
    );
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as Omit<
      SessionsBenchResult['webhooks'],
      'concurrency'
    >;
    return { ...result, concurrency };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await server.close();
  }
}

async function benchAnalytics(count: number): Promise<SessionsBenchResult['analytics']> {
  const fromMs = Date.UTC(2026, 0, 1);
  const spanMs = 90 * 86_400_000;
  const filter = { fromMs, toMs: fromMs + spanMs };
  // Generate into a file, then serve that file with the real app.
  const seed = openTempDatabase();
  try {
    const userIds = seed.connection.transaction(() =>
      insertTestUsers(seed.db, ...Array.from({ length: USERS }, (_, i) => `analytics${i}`)),
    )();
    insertSyntheticSessions(seed.connection, { userIds, count, fromMs, spanMs });
    const shape = seed.connection
      .prepare(
        `SELECT count(DISTINCT room_name) AS rooms, sum(status = 'ended') AS ended FROM user_sessions`,
      )
      .get() as { rooms: number; ended: number };
    const queryMs = {} as Record<ReportGrouping, number>;
    const referenceMs = {} as Record<ReportGrouping, number>;
    const groups = {} as Record<ReportGrouping, number>;
    const identical = {} as Record<ReportGrouping, boolean>;
    const reports = {} as Record<ReportGrouping, SessionReport>;
    for (const groupBy of REPORT_GROUPINGS) {
      let report: SessionReport | undefined;
      queryMs[groupBy] = Math.round(
        median(
          [0, 1, 2].map(() => {
            const started = process.hrtime.bigint();
            report = sessionDurationReport(seed.db, filter, groupBy);
            return Number(process.hrtime.bigint() - started) / 1e6;
          }),
        ),
      );
      const started = process.hrtime.bigint();
      const reference = referenceSessionReport(seed.db, filter, groupBy);
      referenceMs[groupBy] = Math.round(Number(process.hrtime.bigint() - started) / 1e6);
      groups[groupBy] = report!.groups.length;
      identical[groupBy] = isDeepStrictEqual(report, reference);
      reports[groupBy] = report!;
    }
    console.log('sessions: the same report on PostgreSQL (copying the rows there first)');
    const postgres = await benchPostgresReport(seed, filter, reports);

    const server = await startTestServer({ LOG_LEVEL: 'silent', DATABASE_PATH: seed.path });
    try {
      const analyst = await registerUser(server);
      setUserRole(server.database.db, analyst.id, 'analyst');
      const path = `/analytics/sessions?from=2026-01-01&to=2026-04-01&group_by=day`;
      const runs: number[] = [];
      for (let i = 0; i < 3; i += 1) {
        const started = process.hrtime.bigint();
        const response = await authedGet(server, path, analyst.accessToken);
        if (response.status !== 200) throw new Error(`analytics answered ${response.status}`);
        await response.json();
        runs.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      return {
        sessions: count,
        endedSessions: shape.ended,
        users: USERS,
        rooms: shape.rooms,
        groups,
        queryMs,
        referenceMs,
        identical,
        apiMs: Math.round(median(runs)),
        postgres,
      };
    } finally {
      await server.close();
    }
  } finally {
    seed.remove();
  }
}

/** Webhook events ingested per second, and the analytics report over `analyticsSessions` sessions. */
export async function benchSessions(options: {
  webhookSessions: number;
  concurrency: number;
  analyticsSessions: number;
}): Promise<SessionsBenchResult> {
  const webhooks = await benchWebhooks(options.webhookSessions, options.concurrency);
  const analytics = await benchAnalytics(options.analyticsSessions);
  return { webhooks, analytics };
}

/**
 * The sessions section's table. Results written before the report was checked against a baseline
 * (an older latest.json) lack those figures; their rows are left out.
 */
export function sessionsRows(sessions: SessionsBenchResult): string[] {
  const { webhooks } = sessions;
  const a = sessions.analytics;
  const n = (value: number) => value.toLocaleString('en-US');
  const each = (f: (g: ReportGrouping) => string | number) => REPORT_GROUPINGS.map(f).join(' / ');
  const checked =
    a.referenceMs !== undefined && a.identical !== undefined && a.groups !== undefined;
  return [
    '| measure | value |',
    '| --- | --- |',
    `| LiveKit webhook events ingested (${n(webhooks.events)} signed events, ${webhooks.concurrency} in flight) | ${n(webhooks.eventsPerSecond)} events/s (p50 ${webhooks.latencyP50Ms} ms, p99 ${webhooks.latencyP99Ms} ms, ${webhooks.failed} failed) |`,
    checked
      ? `| analytics report over ${n(a.sessions)} sessions (${n(a.endedSessions)} ended; ${n(a.users)} users, ${n(a.rooms)} rooms, 90 days), by day / user / room (the query, median of 3) | ${each((g) => a.queryMs[g])} ms (${each((g) => n(a.groups[g]))} groups) |`
      : `| analytics report over ${n(a.sessions)} sessions, by day / user / room (the query) | ${each((g) => a.queryMs[g])} ms |`,
    ...(checked
      ? [
          `| baseline: the same report computed the plain way (every row read into TypeScript) | ${each((g) => a.referenceMs[g])} ms |`,
          `| report ÷ baseline | ${each((g) => (a.queryMs[g] / a.referenceMs[g]).toFixed(2))} |`,
          `| report equal to the baseline, field by field | ${each((g) => (a.identical[g] ? 'yes' : 'NO'))} |`,
        ]
      : []),
    `| GET /analytics/sessions?group_by=day over all of them (worker thread + JSON) | ${a.apiMs} ms |`,
    ...(a.postgres
      ? [
          `| the same report on PostgreSQL (same rows, copied in ${a.postgres.loadSeconds} s; median of 3) | ${each((g) => a.postgres!.queryMs[g])} ms |`,
          `| PostgreSQL's report ÷ SQLite's | ${each((g) => (a.postgres!.queryMs[g] / a.queryMs[g]).toFixed(2))} |`,
          `| PostgreSQL's report equal to SQLite's, field by field | ${each((g) => (a.postgres!.identicalToSqlite[g] ? 'yes' : 'NO'))} |`,
        ]
      : []),
  ];
}
