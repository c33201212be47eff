import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { authedGet, registerUser, startTestServer } from '@attune/auth-service/testing';
import {
  REPORT_GROUPINGS,
  type ReportGrouping,
  insertUserSession,
  sessionDurationReport,
  setUserRole,
} from '@attune/db';
import { insertSyntheticSessions, insertTestUsers, openTempDatabase } from '@attune/db/testing';

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
    /** Median of three runs of the report over all of them, per grouping, in ms (the query alone). */
    queryMs: Record<ReportGrouping, number>;
    /** GET /analytics/sessions?group_by=day over all of them: worker thread + JSON, median of three, ms. */
    apiMs: number;
  };
}

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
  const dir = mkdtempSync(join(tmpdir(), 'attune-bench-analytics-'));
  const fromMs = Date.UTC(2026, 0, 1);
  const spanMs = 90 * 86_400_000;
  try {
    // Generate into a file, then serve that file with the real app.
    const seed = openTempDatabase();
    const userIds = insertTestUsers(
      seed.db,
      ...Array.from({ length: 1_000 }, (_, i) => `analytics${i}`),
    );
    insertSyntheticSessions(seed.connection, { userIds, count, fromMs, spanMs });
    const queryMs = Object.fromEntries(
      REPORT_GROUPINGS.map((groupBy) => {
        const runs = [0, 1, 2].map(() => {
          const started = process.hrtime.bigint();
          sessionDurationReport(seed.db, { fromMs, toMs: fromMs + spanMs }, groupBy);
          return Number(process.hrtime.bigint() - started) / 1e6;
        });
        return [groupBy, Math.round(median(runs))];
      }),
    ) as Record<ReportGrouping, number>;

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
      return { sessions: count, queryMs, apiMs: Math.round(median(runs)) };
    } finally {
      await server.close();
      seed.remove();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
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
