import type { DurationStats, ReportGrouping, SessionReport, TokenCounts } from '@attune/db';

const statsJson = (s: DurationStats, tokens: TokenCounts) => ({
  sessions: s.sessions,
  total_seconds: s.totalSeconds,
  mean_seconds: s.meanSeconds,
  p50_seconds: s.p50Seconds,
  p90_seconds: s.p90Seconds,
  p99_seconds: s.p99Seconds,
  max_seconds: s.maxSeconds,
  tokens,
});

/** The report as the API answers it and the CLI prints it with --format json. */
export function reportJson(
  report: SessionReport,
  period: { fromMs: number; toMs: number },
  groupBy: ReportGrouping,
) {
  return {
    from: new Date(period.fromMs).toISOString(),
    to: new Date(period.toMs).toISOString(),
    group_by: groupBy,
    groups: report.groups.map((g) => ({ key: g.key, label: g.label, ...statsJson(g, g.tokens) })),
    overall: statsJson(report.overall, report.tokens),
  };
}
