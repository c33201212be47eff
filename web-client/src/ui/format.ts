/** Text for numbers and times, shared by the pages. Pure, so it is tested in Node. */

/**
 * A duration as people say it: "45 s", "4 min 12 s", "4 min", "1 h 3 min" (hours drop the
 * seconds). Fractional seconds (means, percentiles) round to the nearest second.
 */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const total = Math.max(0, Math.round(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  if (hours > 0) return minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
  if (minutes > 0) return secs > 0 ? `${minutes} min ${secs} s` : `${minutes} min`;
  return `${secs} s`;
}

/** Seconds as minutes for the chart: whole minutes from 10 up, one decimal below. */
export function formatMinutes(seconds: number): string {
  const minutes = seconds / 60;
  if (minutes === 0) return '0 min';
  const text = minutes >= 10 ? String(Math.round(minutes)) : String(Math.round(minutes * 10) / 10);
  return `${text} min`;
}

export interface DateFormatOptions {
  locale?: string | undefined;
  timeZone?: string | undefined;
}

/**
 * "Mon, 3 Nov 2025, 14:05" in the reader's locale and time zone; without the year when it is the
 * year of `nowMs` (when given).
 */
export function formatDateTime(
  iso: string,
  options: DateFormatOptions & { nowMs?: number } = {},
): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const yearOf = (d: Date) =>
    new Intl.DateTimeFormat('en', { year: 'numeric', timeZone: options.timeZone }).format(d);
  const thisYear = options.nowMs !== undefined && yearOf(date) === yearOf(new Date(options.nowMs));
  return new Intl.DateTimeFormat(options.locale, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    ...(thisYear ? {} : { year: 'numeric' as const }),
    hour: '2-digit',
    minute: '2-digit',
    timeZone: options.timeZone,
  }).format(date);
}

/** "14:05" */
export function formatTime(iso: string, options: DateFormatOptions = {}): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(options.locale, {
    hour: '2-digit',
    minute: '2-digit',
    timeZone: options.timeZone,
  }).format(date);
}

/** A UTC day key ("2025-11-03") as "3 Nov" (or "Mon 3 Nov" with `weekday`). */
export function formatDayKey(
  day: string,
  options: DateFormatOptions & { weekday?: boolean } = {},
): string {
  const date = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return day;
  return new Intl.DateTimeFormat(options.locale, {
    day: 'numeric',
    month: 'short',
    ...(options.weekday ? { weekday: 'short' as const } : {}),
    timeZone: 'UTC',
  }).format(date);
}

/**
 * How long ago, for "updated" columns: "just now", "5 min ago", "3 h ago", "2 days ago", and the
 * date beyond a week.
 */
export function formatRelative(
  iso: string,
  nowMs: number,
  options: DateFormatOptions = {},
): string {
  const thenMs = Date.parse(iso);
  if (Number.isNaN(thenMs)) return iso;
  const seconds = Math.max(0, Math.round((nowMs - thenMs) / 1000));
  if (seconds < 60) return 'just now';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  if (days < 7) return days === 1 ? 'yesterday' : `${days} days ago`;
  return new Intl.DateTimeFormat(options.locale, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: options.timeZone,
  }).format(new Date(thenMs));
}

/** "1 session", "3 sessions" */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString('en')} ${count === 1 ? one : many}`;
}

/** Initials for an avatar: "Ada Lovelace" → "AL", "guest" → "G". */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0]!, words.at(-1)!] : words;
  return letters
    .map((word) => Array.from(word)[0] ?? '')
    .join('')
    .toUpperCase();
}

/** A wait that counts down on a button: "45 s" under two minutes, then "14 min 59 s". */
export function countdownText(seconds: number): string {
  const whole = Math.max(0, Math.ceil(seconds));
  return whole < 120 ? `${whole} s` : formatDuration(whole);
}
