import { z } from '@hono/zod-openapi';
import { apiError } from '../http/error-catalog.ts';

const DAY_MS = 86_400_000;
export const DEFAULT_PERIOD_MS = 30 * DAY_MS;
const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** Date.parse rolls 2026-02-30 over to March; a real date reads back the same. */
function isRealDate(text: string): boolean {
  const [year, month, day] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    !Number.isNaN(Date.parse(text)) &&
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day
  );
}

/** A date (`2026-11-01`, midnight UTC) or a date-time with its offset (`2026-11-01T09:30:00Z`). */
export const instantSchema = z
  .string()
  .regex(INSTANT, 'must be a date (YYYY-MM-DD) or an ISO-8601 date-time with Z or an offset')
  .refine(isRealDate, 'is not a real date')
  .describe('YYYY-MM-DD (midnight UTC) or an ISO-8601 date-time');

/** `[from, to)` in epoch ms: `to` defaults to now, `from` to 30 days before `to`. */
export function resolvePeriod(
  from: string | undefined,
  to: string | undefined,
  nowMs: number,
): { fromMs: number; toMs: number } {
  const toMs = to === undefined ? nowMs : Date.parse(to);
  const fromMs = from === undefined ? toMs - DEFAULT_PERIOD_MS : Date.parse(from);
  if (fromMs >= toMs) throw apiError('period_invalid');
  return { fromMs, toMs };
}
