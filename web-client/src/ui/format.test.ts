import { describe, expect, it } from 'vitest';
import {
  countdownText,
  formatDateTime,
  formatDayKey,
  formatDuration,
  formatMinutes,
  formatRelative,
  initials,
  plural,
} from './format.ts';

describe('formatDuration', () => {
  it('says seconds, minutes and seconds, or hours and minutes', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(60)).toBe('1 min');
    expect(formatDuration(252)).toBe('4 min 12 s');
    expect(formatDuration(3599)).toBe('59 min 59 s');
    expect(formatDuration(3600)).toBe('1 h');
    expect(formatDuration(3 * 3600 + 3 * 60 + 7)).toBe('3 h 3 min');
  });

  it('rounds fractional means and percentiles, and shows a dash for none', () => {
    expect(formatDuration(251.6)).toBe('4 min 12 s');
    expect(formatDuration(59.5)).toBe('1 min');
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(undefined)).toBe('—');
    expect(formatDuration(Number.NaN)).toBe('—');
    expect(formatDuration(-3)).toBe('0 s');
  });
});

describe('formatMinutes', () => {
  it('uses one decimal under ten minutes and whole minutes above', () => {
    expect(formatMinutes(0)).toBe('0 min');
    expect(formatMinutes(30)).toBe('0.5 min');
    expect(formatMinutes(252)).toBe('4.2 min');
    expect(formatMinutes(42 * 60 + 20)).toBe('42 min');
  });
});

describe('dates', () => {
  const opts = { locale: 'en-GB', timeZone: 'UTC' };
  it('formats instants in the given locale and zone', () => {
    expect(formatDateTime('2025-11-03T14:05:09Z', opts)).toBe('Mon, 3 Nov 2025, 14:05');
    expect(formatDateTime('not a date', opts)).toBe('not a date');
    const now = Date.parse('2025-12-01T00:00:00Z');
    expect(formatDateTime('2025-11-03T14:05:09Z', { ...opts, nowMs: now })).toBe(
      'Mon 3 Nov, 14:05',
    );
    expect(formatDateTime('2024-11-04T14:05:09Z', { ...opts, nowMs: now })).toBe(
      'Mon, 4 Nov 2024, 14:05',
    );
  });

  it('formats UTC day keys without shifting the day', () => {
    expect(formatDayKey('2025-11-03', { locale: 'en-GB' })).toBe('3 Nov');
    expect(formatDayKey('2025-11-03', { locale: 'en-GB', weekday: true })).toBe('Mon 3 Nov');
  });

  it('says how long ago', () => {
    const now = Date.parse('2025-11-10T12:00:00Z');
    expect(formatRelative('2025-11-10T11:59:30Z', now, opts)).toBe('just now');
    expect(formatRelative('2025-11-10T11:55:00Z', now, opts)).toBe('5 min ago');
    expect(formatRelative('2025-11-10T09:00:00Z', now, opts)).toBe('3 h ago');
    expect(formatRelative('2025-11-09T09:00:00Z', now, opts)).toBe('yesterday');
    expect(formatRelative('2025-11-06T12:00:00Z', now, opts)).toBe('4 days ago');
    expect(formatRelative('2025-10-01T12:00:00Z', now, opts)).toBe('1 Oct 2025');
  });
});

describe('small words', () => {
  it('pluralises and makes initials', () => {
    expect(plural(1, 'session')).toBe('1 session');
    expect(plural(1200, 'session')).toBe('1,200 sessions');
    expect(plural(2, 'day')).toBe('2 days');
    expect(initials('Ada Lovelace')).toBe('AL');
    expect(initials('Ada King Lovelace')).toBe('AL');
    expect(initials('  guest ')).toBe('G');
    expect(initials('')).toBe('');
  });
});

describe('countdownText', () => {
  it('counts seconds under two minutes, then minutes and seconds', () => {
    expect(countdownText(0)).toBe('0 s');
    expect(countdownText(59.2)).toBe('60 s');
    expect(countdownText(119)).toBe('119 s');
    expect(countdownText(120)).toBe('2 min');
    expect(countdownText(899)).toBe('14 min 59 s');
  });
});
