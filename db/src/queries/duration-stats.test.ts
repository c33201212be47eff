import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../seeded-random.ts';
import { ascending, mergeAscending, statsOfSorted } from './duration-stats.ts';

const sqlite = new Database(':memory:');
afterAll(() => sqlite.close());

/** SQLite's own figures for `values`, the way the report computed them before. */
function sqliteStats(values: readonly number[]) {
  return sqlite
    .prepare(
      `SELECT count(v) AS sessions, coalesce(sum(v), 0) AS totalSeconds, avg(v) AS meanSeconds,
         percentile(v, 50) AS p50Seconds, percentile(v, 90) AS p90Seconds,
         percentile(v, 99) AS p99Seconds, max(v) AS maxSeconds
       FROM (SELECT value AS v FROM json_each(?))`,
    )
    .get(JSON.stringify(values));
}

describe('statsOfSorted', () => {
  it("gives SQLite's count, total, avg(), percentile() and max to the last bit", () => {
    const next = seededRandom(5);
    for (let round = 0; round < 400; round += 1) {
      // Sizes where (p / 100) * (n - 1) rounds differently from (n - 1) * p / 100 are common.
      const size = 1 + Math.floor(next() ** 2 * 3_000);
      const values = Array.from({ length: size }, () => Math.floor(next() ** 3 * 14_400));
      const sorted = [...values].sort((a, b) => a - b);
      expect(statsOfSorted(sorted), `size ${size}`).toEqual(sqliteStats(values));
    }
  });

  it('gives zero sessions and no figures for no durations', () => {
    expect(statsOfSorted([])).toEqual(sqliteStats([]));
  });
});

describe('ascending', () => {
  it('keeps sorted values as they are and sorts the others numerically', () => {
    const sorted = [1, 2, 2, 10];
    expect(ascending(sorted)).toBe(sorted);
    expect(ascending([10, 9, 100, 1])).toEqual([1, 9, 10, 100]);
  });
});

describe('mergeAscending', () => {
  it('merges whole seconds by counting them', () => {
    const merged = mergeAscending([[3, 5, 5], [], [0, 4], [5, 9000]]);
    expect([...merged]).toEqual([0, 3, 4, 5, 5, 5, 9000]);
  });

  it('sorts fractions, negative and huge values the ordinary way', () => {
    expect([
      ...mergeAscending([
        [2.5, 3],
        [-1, 1e12],
      ]),
    ]).toEqual([-1, 2.5, 3, 1e12]);
  });
});
