import type { PgDb } from '../open-postgres.ts';
import { POSTGRES_REPORT_DIALECT } from '../queries/report-dialect.ts';
import {
  type DurationRow,
  type ReportGrouping,
  type SessionFilter,
  type SessionReport,
  type TokenRow,
  reportFromRows,
  reportQueries,
} from '../queries/session-analytics.ts';

/**
 * PostgreSQL's session duration report: the same two reads as SQLite's, in PostgreSQL's dialect,
 * and the same computation of every figure from their rows, so both engines give the same report
 * field by field. Both reads run at once, each on a pooled connection; the server does the
 * scanning, so nothing here holds the event loop for long.
 */
export async function sessionDurationReportPg(
  db: PgDb,
  filter: SessionFilter,
  groupBy: ReportGrouping,
): Promise<SessionReport> {
  const queries = reportQueries(filter, groupBy, POSTGRES_REPORT_DIALECT);
  const [durations, tokens] = await Promise.all([
    db.execute<DurationRow & Record<string, unknown>>(queries.durations),
    db.execute<TokenRow & Record<string, unknown>>(queries.tokens),
  ]);
  return reportFromRows(durations.rows, tokens.rows, groupBy);
}
