import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../seeded-random.ts';
import { DurationListReader, DurationTally, statsOfSorted } from './duration-stats.ts';

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

describe('DurationListReader', () => {
  it('reads JSON arrays and comma lists of whole seconds, sorting them if they are not in order', () => {
    const reader = new DurationListReader();
    const read = (text: string) => {
      const count = reader.read(text);
      return [...reader.values.subarray(0, count)];
    };
    expect(read('[1,5,5,3600]')).toEqual([1, 5, 5, 3600]);
    expect(read('30, 2,10')).toEqual([2, 10, 30]);
    expect(read('[]')).toEqual([]);
    const long = Array.from({ length: 5_000 }, (_, i) => 5_000 - i);
    expect(read(JSON.stringify(long))).toEqual(long.reverse());
  });

  it('refuses anything but whole non-negative numbers', () => {
    const reader = new DurationListReader();
    for (const text of ['[1.5]', '[-1]', '[null]', '[1e3]', '["7"]'])
      expect(reader.read(text), text).toBe(-1);
  });
});

describe('DurationTally', () => {
  it('gives the figures of all the lists added, as if sorted together', () => {
    const tally = new DurationTally();
    const lists = [[3, 5, 5], [], [0, 4], [5, 90_000], [2.5], [-1, 1e12]];
    for (const list of lists) tally.add(list);
    const all = lists.flat().sort((a, b) => a - b);
    expect(tally.stats()).toEqual(statsOfSorted(all));
    expect(new DurationTally().stats().sessions).toBe(0);
  });
});
