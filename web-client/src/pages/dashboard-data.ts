/** The analytics report as the Dashboard reads it, and the period arithmetic around it. */

export interface DurationStats {
  sessions: number;
  total_seconds: number;
  mean_seconds: number | null;
  p50_seconds: number | null;
  p90_seconds: number | null;
  p99_seconds: number | null;
  max_seconds: number | null;
  tokens: { issued: number; joined: number; expired: number; pending: number };
}

export interface SessionReport {
  from: string;
  to: string;
  group_by: 'day' | 'user' | 'room';
  groups: (DurationStats & { key: string; label: string | null })[];
  overall: DurationStats;
}

export type DayStats = DurationStats & { day: string };

export const PERIODS = [7, 30, 90] as const;
export type PeriodDays = (typeof PERIODS)[number];

const DAY_MS = 86_400_000;

/** "2025-11-03" for the UTC day of `ms`. */
export function dayKey(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * The last `days` UTC days up to and including today: `from` is the first day's midnight, `to`
 * tomorrow's (exclusive), as the report's query parameters.
 */
export function periodOf(
  days: number,
  nowMs: number,
): { from: string; to: string; days: string[] } {
  const todayStart = Date.parse(`${dayKey(nowMs)}T00:00:00.000Z`);
  const firstStart = todayStart - (days - 1) * DAY_MS;
  return {
    from: dayKey(firstStart),
    to: dayKey(todayStart + DAY_MS),
    days: Array.from({ length: days }, (_, i) => dayKey(firstStart + i * DAY_MS)),
  };
}

const EMPTY: DurationStats = {
  sessions: 0,
  total_seconds: 0,
  mean_seconds: null,
  p50_seconds: null,
  p90_seconds: null,
  p99_seconds: null,
  max_seconds: null,
  tokens: { issued: 0, joined: 0, expired: 0, pending: 0 },
};

/** One entry per day of the period, in order; days the report leaves out had no sessions. */
export function fillDays(groups: SessionReport['groups'], days: readonly string[]): DayStats[] {
  const byDay = new Map(groups.map((group) => [group.key, group]));
  return days.map((day) => {
    const group = byDay.get(day);
    if (!group) return { ...EMPTY, day };
    // The day replaces the group's key and label.
    const entry: DayStats & { key?: string; label?: string | null } = { ...group, day };
    delete entry.key;
    delete entry.label;
    return entry;
  });
}

/** The API path of the day-by-day report for a period. */
export function reportPath(period: { from: string; to: string }): string {
  const query = new URLSearchParams({ group_by: 'day', from: period.from, to: period.to });
  return `/analytics/sessions?${query.toString()}`;
}
