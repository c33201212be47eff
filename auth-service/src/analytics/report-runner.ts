import type { ReportGrouping, SessionFilter, SessionReport } from '@attune/db';
import { Piscina } from 'piscina';
import type { ReportTask } from './report-task.ts';

const WORKER_URL = new URL('./report-worker.mjs', import.meta.url).href;

export interface ReportRunner {
  /** The session duration report, computed on a worker thread so requests keep flowing meanwhile. */
  report(filter: SessionFilter, groupBy: ReportGrouping): Promise<SessionReport>;
  close(): Promise<void>;
}

/**
 * Analytics reports scan up to millions of rows; one worker thread with its own read-only
 * connection runs them (WAL lets it read while the service writes), one at a time.
 */
export function createReportRunner(databasePath: string): ReportRunner {
  const pool = new Piscina<ReportTask, SessionReport>({ filename: WORKER_URL, minThreads: 0, maxThreads: 1, idleTimeout: 60_000 });
  return {
    report: (filter, groupBy) => pool.run({ databasePath, filter, groupBy }),
    close: () => pool.destroy(),
  };
}
