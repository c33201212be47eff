import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertSyntheticSessions, insertTestUsers, openTempDatabase } from '@attune/db/testing';
import {
  MAX_QUEUED_REPORTS,
  type ReportRunner,
  ReportsBusyError,
  createReportRunner,
} from './report-runner.ts';

let database: ReturnType<typeof openTempDatabase>;
let runner: ReportRunner;
beforeAll(() => {
  database = openTempDatabase();
  const userIds = insertTestUsers(database.db, 'one', 'two');
  insertSyntheticSessions(database.connection, {
    userIds,
    count: 2_000,
    fromMs: 0,
    spanMs: 86_400_000,
  });
  runner = createReportRunner(database.path);
});
afterAll(async () => {
  await runner.close();
  database.remove();
});

describe('the report runner', () => {
  it('computes the report on a worker thread from its own read-only connection', async () => {
    const report = await runner.report({ fromMs: 0, toMs: 86_400_000 }, 'user');
    expect(report.groups.map((g) => g.label).sort()).toEqual([
      'one@example.org',
      'two@example.org',
    ]);
    expect(report.overall.sessions).toBeGreaterThan(1_500);
  });

  it('refuses reports past the queue limit instead of queueing without end', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: MAX_QUEUED_REPORTS + 4 }, () =>
        runner.report({ fromMs: 0, toMs: 86_400_000 }, 'day'),
      ),
    );
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(refused.length).toBeGreaterThanOrEqual(3);
    expect(
      refused.every((o) => o.status === 'rejected' && o.reason instanceof ReportsBusyError),
    ).toBe(true);
    expect(outcomes.filter((o) => o.status === 'fulfilled').length).toBeGreaterThanOrEqual(
      MAX_QUEUED_REPORTS,
    );
  });
});
