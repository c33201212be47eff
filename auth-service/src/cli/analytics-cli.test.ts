import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertEndedSession, insertTestUsers, openTempDatabase } from '@attune/db/testing';
import { ANALYTICS_USAGE, runAnalyticsCli } from './analytics-cli.ts';

const T0 = Date.UTC(2026, 9, 5);
let database: ReturnType<typeof openTempDatabase>;
let ana: string;
let ben: string;

beforeAll(() => {
  database = openTempDatabase();
  [ana, ben] = insertTestUsers(database.db, 'ana', 'ben') as [string, string];
  const plan: [string, number, number][] = [
    [ana, 0, 100],
    [ana, 86_400_000, 300],
    [ben, 3_600_000, 50],
  ];
  for (const [userId, offset, duration] of plan) {
    const start = T0 + offset;
    insertEndedSession(database.db, {
      userId,
      roomName: `room-${userId}`,
      issuedAtMs: start - 1000,
      startMs: start,
      durationSeconds: duration,
    });
  }
});
afterAll(() => database.remove());

function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = runAnalyticsCli(argv, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env: { DATABASE_PATH: database.path },
    now: () => T0 + 10 * 86_400_000,
  });
  return { code, stdout, stderr };
}

describe('pnpm analytics', () => {
  it('prints the report as JSON, reading the SQLite file directly', () => {
    const { code, stdout } = run(
      '--from',
      '2026-10-05',
      '--to',
      '2026-10-07',
      '--group-by',
      'user',
      '--format',
      'json',
    );
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as {
      groups: { key: string; label: string; sessions: number; total_seconds: number }[];
      overall: { sessions: number; max_seconds: number };
    };
    const byLabel = report.groups
      .map((g) => [g.label, g.key, g.sessions, g.total_seconds])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(byLabel).toEqual([
      ['ana@example.org', ana, 2, 400],
      ['ben@example.org', ben, 1, 50],
    ]);
    expect(report.overall).toMatchObject({ sessions: 3, max_seconds: 300 });
  });

  it('prints CSV and an aligned table, with filters', () => {
    const csv = run('--from', '2026-10-05', '--to', '2026-10-07', '--format', 'csv', '--user', ben);
    const rows = parse<{ group: string; sessions: number; p50_seconds: number }>(csv.stdout, {
      columns: true,
      cast: true,
    });
    expect(rows).toEqual([
      expect.objectContaining({ group: '2026-10-05', sessions: 1, p50_seconds: 50 }),
      expect.objectContaining({ group: 'overall', sessions: 1 }),
    ]);

    const table = run('--from', '2026-10-05', '--to', '2026-10-07', '--group-by', 'room');
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[2]).toMatch(/^group\s+label\s+sessions\s+total_seconds/);
    expect(lines.at(-1)).toMatch(/^overall\s+–\s+3\s+450\s/);
  });

  it('explains bad options and a missing database instead of failing with a stack trace', () => {
    const bad = run('--group-by', 'week');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--group-by');
    expect(bad.stderr).toContain(ANALYTICS_USAGE);
    expect(run('--colour', 'red').code).toBe(2);
    expect(run('--from', '2026-10-09', '--to', '2026-10-01').stderr).toContain(
      '`from` must be before `to`',
    );
    const missing = run('--db', '/nonexistent/attune.db');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot open the database at /nonexistent/attune.db');
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    const notADatabase = run('--db', fileURLToPath(import.meta.url));
    expect(notADatabase.code).toBe(1);
    expect(notADatabase.stderr).toContain('Is it the Attune database?');
  });

  it('runs as a program', () => {
    const entry = fileURLToPath(new URL('./analytics.ts', import.meta.url));
    const result = spawnSync(
      process.execPath,
      [
        '--conditions=@attune/source',
        '--import',
        'tsx',
        entry,
        '--db',
        database.path,
        '--from',
        '2026-10-05',
        '--format',
        'csv',
      ],
      {
        encoding: 'utf8',
        cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      },
    );
    expect(result.status).toBe(0);
    expect(result.stdout.split('\r\n')[0]).toBe(
      'group,label,sessions,total_seconds,mean_seconds,p50_seconds,p90_seconds,p99_seconds,max_seconds,tokens_issued,tokens_joined,tokens_expired,tokens_pending',
    );
  });
});
