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
 * The `p`th percentile (0 to 100) of the first `count` values of `sorted` (ascending): linear
 * interpolation between the closest ranks, in the very arithmetic of SQLite's `percentile()`
 * (ext/misc/percentile.c) and PostgreSQL's `percentile_cont(p / 100.0)` (float8 lerp), so the
 * report's figures are the same to the last bit whichever computed them:
 * `ix = (p / 100) * (count - 1)`, then `a[⌊ix⌋] + (a[⌊ix⌋ + 1] − a[⌊ix⌋]) × (ix − ⌊ix⌋)`.
 */
export function percentileOfSorted(sorted: ArrayLike<number>, count: number, p: number): number {
  const ix = (p / 100) * (count - 1);
  const lo = Math.floor(ix);
  const hi = ix === lo || lo === count - 1 ? lo : lo + 1;
  const low = sorted[lo]!;
  return low + (sorted[hi]! - low) * (ix - lo);
}

/**
 * Count, total, mean, p50, p90, p99 and max of the first `count` values of `sorted` (ascending).
 * The mean is the total divided by the count, which is what SQLite's `avg()` of integers computes.
 */
export function statsOfSorted(
  sorted: ArrayLike<number>,
  count: number = sorted.length,
): DurationStats {
  if (count === 0) return NO_SESSIONS;
  let totalSeconds = 0;
  for (let i = 0; i < count; i += 1) totalSeconds += sorted[i]!;
  return {
    sessions: count,
    totalSeconds,
    meanSeconds: totalSeconds / count,
    p50Seconds: percentileOfSorted(sorted, count, 50),
    p90Seconds: percentileOfSorted(sorted, count, 90),
    p99Seconds: percentileOfSorted(sorted, count, 99),
    maxSeconds: sorted[count - 1]!,
  };
}

const DIGIT_0 = 48;
const DIGIT_9 = 57;
/** Characters allowed between the numbers of a list: `,` `[` `]` and spaces. */
const SEPARATORS = new Set([44, 91, 93, 32]);

/**
 * Reads lists of durations the database sends as text (a JSON array, or numbers joined by commas)
 * into one buffer it reuses, so a million durations in tens of thousands of groups cost no
 * allocation per group. Only lists of whole non-negative numbers are read this way.
 */
export class DurationListReader {
  private buffer = new Float64Array(1024);

  /** What the last {@link read} read, from index 0, ascending; the next call overwrites it. */
  get values(): Float64Array {
    return this.buffer;
  }

  /**
   * Reads the durations in `text` into {@link values}, ascending (sorted here if they came
   * otherwise), and answers how many there are; -1 if `text` holds anything but whole
   * non-negative numbers.
   */
  read(text: string): number {
    let count = 0;
    let value = -1;
    let ascending = true;
    for (let i = 0; i <= text.length; i += 1) {
      const code = i < text.length ? text.charCodeAt(i) : 44;
      if (code >= DIGIT_0 && code <= DIGIT_9) {
        value = (value < 0 ? 0 : value * 10) + (code - DIGIT_0);
        if (value > Number.MAX_SAFE_INTEGER) return -1;
      } else if (SEPARATORS.has(code)) {
        if (value < 0) continue;
        if (count === this.buffer.length) {
          const larger = new Float64Array(this.buffer.length * 2);
          larger.set(this.buffer);
          this.buffer = larger;
        }
        if (count > 0 && this.buffer[count - 1]! > value) ascending = false;
        this.buffer[count++] = value;
        value = -1;
      } else return -1;
    }
    if (!ascending) this.buffer.subarray(0, count).sort();
    return count;
  }
}

/** Whole seconds up to this are counted by value; larger (or odd) durations are kept as they are. */
const MAX_COUNTED_SECONDS = 1 << 22;

/**
 * All the durations of a report, gathered group by group, for the overall figures. Durations are
 * whole seconds, usually under a few hours, so they are counted by value (no sort); anything else
 * (a fraction, a negative or a huge value) is kept aside and sorted in.
 */
export class DurationTally {
  private counts = new Uint32Array(1 << 15);
  private others: number[] = [];
  private total = 0;

  /** Adds the first `count` of `values`. */
  add(values: ArrayLike<number>, count: number = values.length): void {
    this.total += count;
    for (let i = 0; i < count; i += 1) {
      const value = values[i]!;
      if (!Number.isInteger(value) || value < 0 || value > MAX_COUNTED_SECONDS) {
        this.others.push(value);
        continue;
      }
      if (value >= this.counts.length) {
        let length = this.counts.length * 2;
        while (length <= value) length *= 2;
        const larger = new Uint32Array(length);
        larger.set(this.counts);
        this.counts = larger;
      }
      this.counts[value]! += 1;
    }
  }

  /** Count, total, mean, percentiles and max of everything added. */
  stats(): DurationStats {
    const sorted = new Float64Array(this.total);
    let at = 0;
    for (let value = 0; value < this.counts.length; value += 1) {
      const count = this.counts[value]!;
      if (count === 0) continue;
      sorted.fill(value, at, at + count);
      at += count;
    }
    if (this.others.length > 0) {
      sorted.set(this.others, at);
      sorted.sort();
    }
    return statsOfSorted(sorted);
  }
}
