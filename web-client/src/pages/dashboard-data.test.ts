import { describe, expect, it } from 'vitest';
import { type SessionReport, dayKey, fillDays, periodOf, reportPath } from './dashboard-data.ts';

describe('periodOf', () => {
  it('covers the last n UTC days including today, with `to` at tomorrow’s midnight', () => {
    const now = Date.parse('2025-11-10T23:30:00Z');
    const period = periodOf(7, now);
    expect(period.from).toBe('2025-11-04');
    expect(period.to).toBe('2025-11-11');
    expect(period.days).toEqual([
      '2025-11-04',
      '2025-11-05',
      '2025-11-06',
      '2025-11-07',
      '2025-11-08',
      '2025-11-09',
      '2025-11-10',
    ]);
  });

  it('crosses months and years', () => {
    const period = periodOf(3, Date.parse('2026-01-01T00:00:00Z'));
    expect(period.days).toEqual(['2025-12-30', '2025-12-31', '2026-01-01']);
    expect(periodOf(90, Date.now()).days).toHaveLength(90);
    expect(dayKey(Date.parse('2025-03-01T12:00:00Z'))).toBe('2025-03-01');
  });

  it('asks the report for those days, grouped by day', () => {
    expect(reportPath({ from: '2025-11-04', to: '2025-11-11' })).toBe(
      '/analytics/sessions?group_by=day&from=2025-11-04&to=2025-11-11',
    );
  });
});

describe('fillDays', () => {
  const stats = (sessions: number, total: number) => ({
    sessions,
    total_seconds: total,
    mean_seconds: total / sessions,
    p50_seconds: total / sessions,
    p90_seconds: total / sessions,
    p99_seconds: total / sessions,
    max_seconds: total / sessions,
    tokens: { issued: sessions, joined: sessions, expired: 0, pending: 0 },
  });

  it('gives every day of the period an entry, zero where the report has none', () => {
    const groups: SessionReport['groups'] = [
      { key: '2025-11-05', label: null, ...stats(2, 600) },
      { key: '2025-11-07', label: null, ...stats(1, 60) },
    ];
    const days = fillDays(groups, ['2025-11-04', '2025-11-05', '2025-11-06', '2025-11-07']);
    expect(days.map((d) => [d.day, d.sessions, d.total_seconds])).toEqual([
      ['2025-11-04', 0, 0],
      ['2025-11-05', 2, 600],
      ['2025-11-06', 0, 0],
      ['2025-11-07', 1, 60],
    ]);
    expect(days[0]!.mean_seconds).toBeNull();
    expect(days[1]!.mean_seconds).toBe(300);
  });

  it('leaves out groups outside the period', () => {
    const days = fillDays([{ key: '2025-10-01', label: null, ...stats(1, 60) }], ['2025-11-04']);
    expect(days).toHaveLength(1);
    expect(days[0]!.sessions).toBe(0);
  });
});
