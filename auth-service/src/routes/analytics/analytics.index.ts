import type { Context } from 'hono';
import { toCsv } from '../../analytics/csv.ts';
import { reportJson } from '../../analytics/report-json.ts';
import { ReportsBusyError } from '../../analytics/report-runner.ts';
import { REPORT_COLUMNS, reportRows } from '../../analytics/report-table.ts';
import type { AppDeps } from '../../deps.ts';
import { apiError } from '../../http/error-catalog.ts';
import type { RouteGuard } from '../../http/route-guard.ts';
import { createRouter } from '../../http/router.ts';
import { decodePageCursor, encodePageCursor } from '../../sessions/page-cursor.ts';
import { resolvePeriod } from '../../sessions/period.ts';
import {
  SESSION_CSV_COLUMNS,
  sessionCsvRow,
  toSessionResponse,
} from '../../sessions/session-response.ts';
import { sessionListRoute, sessionReportRoute } from './analytics.routes.ts';

function csvResponse(c: Context, name: string, csv: string) {
  return c.body(csv, 200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${name}.csv"`,
  });
}

/** Analytics for admins and analysts: session durations as LiveKit reported them. */
export function createAnalyticsRouter(deps: AppDeps, guard: RouteGuard) {
  const router = createRouter();

  router.openapi(guard.route(sessionReportRoute), async (c) => {
    const query = c.req.valid('query');
    const { fromMs, toMs } = resolvePeriod(query.from, query.to, deps.now());
    const report = await deps.reports
      .report({ fromMs, toMs, userId: query.user, roomName: query.room }, query.group_by)
      .catch((error: unknown) => {
        if (error instanceof ReportsBusyError) {
          throw apiError('reports_busy', undefined, { headers: { 'Retry-After': '5' } });
        }
        throw error;
      });
    if (query.format === 'csv')
      return csvResponse(
        c,
        `attune-sessions-by-${query.group_by}`,
        toCsv(REPORT_COLUMNS, reportRows(report)),
      );
    return c.json(reportJson(report, { fromMs, toMs }, query.group_by), 200);
  });

  router.openapi(guard.route(sessionListRoute), async (c) => {
    const query = c.req.valid('query');
    const period =
      query.from === undefined && query.to === undefined
        ? {}
        : resolvePeriod(query.from, query.to, deps.now());
    const page = await deps.store.sessionListings.list({
      filter: { ...period, userId: query.user, roomName: query.room },
      status: query.status,
      limit: query.limit,
      after: decodePageCursor(query.cursor),
    });
    const sessions = page.sessions.map(toSessionResponse);
    if (query.format === 'csv')
      return csvResponse(
        c,
        'attune-sessions',
        toCsv(SESSION_CSV_COLUMNS, sessions.map(sessionCsvRow)),
      );
    return c.json({ sessions, next_cursor: encodePageCursor(page.next) }, 200);
  });
  return router;
}
