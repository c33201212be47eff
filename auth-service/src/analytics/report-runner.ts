import { Piscina } from 'piscina';
import type { AnalyticsStore, ReportGrouping, SessionFilter, SessionReport } from '@attune/db';
import type { ReportTask } from './report-task.ts';

const WORKER_URL = new URL('./report-worker.mjs', import.meta.url).href;
/**
 * Running from the TypeScript sources: the worker must resolve workspace packages to their
 * sources too (their `@attune/source` export), whatever flags started this process.
 */
const FROM_SOURCES = import.meta.url.endsWith('.ts');
/** Reports waiting behind the one running; more are refused rather than queued without end. */
export const MAX_QUEUED_REPORTS = 4;

/** Raised when too many reports are already waiting. */
export class ReportsBusyError extends Error {
  override name = 'ReportsBusyError';
}

export interface ReportRunner {
  /**
   * The session duration report, computed on a worker thread so requests keep flowing meanwhile.
   * Rejects with {@link ReportsBusyError} when {@link MAX_QUEUED_REPORTS} are already waiting.
   */
  report(filter: SessionFilter, groupBy: ReportGrouping): Promise<SessionReport>;
  close(): Promise<void>;
}

/**
 * Analytics reports scan up to millions of rows; one worker thread with its own read-only
 * connection runs them (WAL lets it read while the service writes), one at a time.
 */
export function createReportRunner(databasePath: string): ReportRunner {
  const pool = new Piscina<ReportTask, SessionReport>({
    filename: WORKER_URL,
    minThreads: 0,
    maxThreads: 1,
    idleTimeout: 60_000,
    ...(FROM_SOURCES ? { execArgv: [...process.execArgv, '--conditions=@attune/source'] } : {}),
  });
  return {
    report: (filter, groupBy) => {
      if (pool.queueSize >= MAX_QUEUED_REPORTS)
        return Promise.reject(new ReportsBusyError('too many analytics reports are waiting'));
      return pool.run({ databasePath, filter, groupBy });
    },
    close: () => pool.destroy(),
  };
}

/**
 * On PostgreSQL the database server does the scanning, so no worker thread is needed: the report
 * is asked for on the pool, with the same bound on how many may wait.
 */
export function createStoreReportRunner(analytics: Pick<AnalyticsStore, 'report'>): ReportRunner {
  let running = 0;
  return {
    async report(filter, groupBy) {
      // One runs and MAX_QUEUED_REPORTS wait, as with the worker.
      if (running > MAX_QUEUED_REPORTS)
        throw new ReportsBusyError('too many analytics reports are waiting');
      running += 1;
      try {
        return await analytics.report(filter, groupBy);
      } finally {
        running -= 1;
      }
    },
    close: () => Promise.resolve(),
  };
}
