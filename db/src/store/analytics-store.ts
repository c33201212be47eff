import type { AttuneDatabase } from '../open-database.ts';
import type { PostgresDatabase } from '../open-postgres.ts';
import { sessionDurationReportPg } from '../postgres/session-analytics.ts';
import {
  type ReportGrouping,
  type SessionFilter,
  type SessionReport,
  sessionDurationReport,
} from '../queries/session-analytics.ts';
import { runSync } from './run-sync.ts';

/** The analysts' session duration report (see `sessionDurationReport`). */
export interface AnalyticsStore {
  /**
   * The report over the period, grouped by day, user or room. On SQLite it runs on the calling
   * thread: the auth service calls it from its report worker, never from a request.
   */
  report(filter: SessionFilter, groupBy: ReportGrouping): Promise<SessionReport>;
}

export function sqliteAnalyticsStore({ db }: AttuneDatabase): AnalyticsStore {
  return { report: (filter, groupBy) => runSync(() => sessionDurationReport(db, filter, groupBy)) };
}

export function postgresAnalyticsStore({ db }: PostgresDatabase): AnalyticsStore {
  return { report: (filter, groupBy) => sessionDurationReportPg(db, filter, groupBy) };
}
