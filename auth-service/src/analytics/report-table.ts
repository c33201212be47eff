import type { DurationGroup, DurationStats, SessionReport, TokenCounts } from '@attune/db';
import type { CsvCell } from './csv.ts';

/** The report's columns, shared by the API's CSV, the CLI's table and its CSV. */
export const REPORT_COLUMNS = [
  'group',
  'label',
  'sessions',
  'total_seconds',
  'mean_seconds',
  'p50_seconds',
  'p90_seconds',
  'p99_seconds',
  'max_seconds',
  'tokens_issued',
  'tokens_joined',
  'tokens_expired',
  'tokens_pending',
] as const;

const round2 = (value: number | null) => (value === null ? null : Math.round(value * 100) / 100);

function row(
  key: string,
  label: string | null,
  stats: DurationStats,
  tokens: TokenCounts,
): CsvCell[] {
  return [
    key,
    label,
    stats.sessions,
    stats.totalSeconds,
    round2(stats.meanSeconds),
    round2(stats.p50Seconds),
    round2(stats.p90Seconds),
    round2(stats.p99Seconds),
    stats.maxSeconds,
    tokens.issued,
    tokens.joined,
    tokens.expired,
    tokens.pending,
  ];
}

/** One row per group, then an `overall` row. */
export function reportRows(report: SessionReport): CsvCell[][] {
  return [
    ...report.groups.map((g: DurationGroup) => row(g.key, g.label, g, g.tokens)),
    row('overall', null, report.overall, report.tokens),
  ];
}
