/** Duration statistics of ended sessions, in seconds. Percentiles interpolate linearly between ranks. */
export interface DurationStats {
  sessions: number;
  totalSeconds: number;
  meanSeconds: number | null;
  p50Seconds: number | null;
  p90Seconds: number | null;
  p99Seconds: number | null;
  maxSeconds: number | null;
}

export const NO_SESSIONS: DurationStats = {
  sessions: 0,
  totalSeconds: 0,
  meanSeconds: null,
  p50Seconds: null,
  p90Seconds: null,
  p99Seconds: null,
  maxSeconds: null,
};

/**
 * The `p`th percentile (0 to 100) of `count` values sorted ascending, `valueAt(rank)` giving the
 * value at a 0-based rank: linear interpolation between the closest ranks, in the very arithmetic
 * of SQLite's `percentile()` (ext/misc/percentile.c) and PostgreSQL's `percentile_cont(p / 100.0)`
 * (float8 lerp), so the report's figures are the same to the last bit whichever computed them:
 * `ix = (p / 100) * (count - 1)`, then `a[⌊ix⌋] + (a[⌊ix⌋ + 1] − a[⌊ix⌋]) × (ix − ⌊ix⌋)`.
 */
export function percentileOfSorted(
  valueAt: (rank: number) => number,
  count: number,
  p: number,
): number {
  const ix = (p / 100) * (count - 1);
  const lo = Math.floor(ix);
  const hi = ix === lo || lo === count - 1 ? lo : lo + 1;
  const low = valueAt(lo);
  return low + (valueAt(hi) - low) * (ix - lo);
}

/**
 * Count, total, mean, p50, p90, p99 and max of durations sorted ascending. The mean is the total
 * divided by the count, which is what SQLite's `avg()` of integers computes.
 */
export function statsOfSorted(sorted: ArrayLike<number>): DurationStats {
  const sessions = sorted.length;
  if (sessions === 0) return NO_SESSIONS;
  let totalSeconds = 0;
  for (let i = 0; i < sessions; i += 1) totalSeconds += sorted[i]!;
  const valueAt = (rank: number) => sorted[rank]!;
  return {
    sessions,
    totalSeconds,
    meanSeconds: totalSeconds / sessions,
    p50Seconds: percentileOfSorted(valueAt, sessions, 50),
    p90Seconds: percentileOfSorted(valueAt, sessions, 90),
    p99Seconds: percentileOfSorted(valueAt, sessions, 99),
    maxSeconds: sorted[sessions - 1]!,
  };
}

/** `values` in ascending order: as they are when they already are (the usual case), else sorted. */
export function ascending(values: number[]): number[] {
  for (let i = 1; i < values.length; i += 1)
    if (values[i - 1]! > values[i]!) return values.sort((a, b) => a - b);
  return values;
}

/** Above this, counting durations by value would take more memory than sorting them. */
const MAX_COUNTED_SECONDS = 1 << 22;

/**
 * Every value of every list, in ascending order. Durations are whole seconds, usually under a
 * few hours, so they are counted by value (one pass, no comparison sort); anything else (a
 * fraction, a negative or a huge value) is sorted the ordinary way.
 */
export function mergeAscending(lists: readonly (readonly number[])[]): ArrayLike<number> {
  let total = 0;
  let max = 0;
  let countable = true;
  for (const list of lists) {
    total += list.length;
    for (const value of list) {
      if (!Number.isInteger(value) || value < 0 || value > MAX_COUNTED_SECONDS) countable = false;
      else if (value > max) max = value;
    }
  }
  const merged = new Float64Array(total);
  if (!countable) {
    let at = 0;
    for (const list of lists) for (const value of list) merged[at++] = value;
    return merged.sort();
  }
  const counts = new Uint32Array(max + 1);
  for (const list of lists) for (const value of list) counts[value]! += 1;
  let at = 0;
  for (let value = 0; value <= max; value += 1) {
    const end = at + counts[value]!;
    merged.fill(value, at, end);
    at = end;
  }
  return merged;
}
