import {
  type ReadOnlyDatabase,
  type ReportGrouping,
  type SessionFilter,
  type SessionReport,
  openReadOnlyDatabase,
  sessionDurationReport,
} from '@attune/db';

export interface ReportTask {
  databasePath: string;
  filter: SessionFilter;
  groupBy: ReportGrouping;
}

/** One read-only connection per database file, kept for the life of the worker thread. */
const connections = new Map<string, ReadOnlyDatabase>();

/** Runs in the analytics worker thread: the report reads every matching row. */
export function runReportTask(task: ReportTask): SessionReport {
  let database = connections.get(task.databasePath);
  if (!database) {
    database = openReadOnlyDatabase(task.databasePath);
    connections.set(task.databasePath, database);
  }
  return sessionDurationReport(database.db, task.filter, task.groupBy);
}
