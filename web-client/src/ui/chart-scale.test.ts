import { describe, expect, it } from 'vitest';
import { layoutBars, niceTicks } from './chart-scale.ts';

describe('niceTicks', () => {
  it('steps by 1, 2, 2.5 or 5 times a power of ten, up to at least the maximum', () => {
    expect(niceTicks(10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(42)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(niceTicks(97)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(12.5)).toEqual([0, 2.5, 5, 7.5, 10, 12.5]);
    expect(niceTicks(0.7)).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(1234)).toEqual([0, 250, 500, 750, 1000, 1250]);
  });

  it('has an axis for nothing at all', () => {
    expect(niceTicks(0)).toEqual([0, 1]);
    expect(niceTicks(Number.NaN)).toEqual([0, 1]);
  });

  it('always covers the maximum with about the asked number of ticks', () => {
    for (const max of [1, 3, 7, 19, 61, 333, 4999, 0.05]) {
      const ticks = niceTicks(max);
      expect(ticks.at(-1)!).toBeGreaterThanOrEqual(max);
      expect(ticks.length).toBeGreaterThanOrEqual(3);
      expect(ticks.length).toBeLessThanOrEqual(7);
    }
  });
});

describe('layoutBars', () => {
  const box = { width: 500, height: 200, padding: { top: 10, right: 0, bottom: 30, left: 50 } };

  it('scales bars so the top tick is the top of the plot', () => {
    const { bars, ticks, plot } = layoutBars([10, 5, 0], (v) => v, box);
    expect(plot).toEqual({ left: 50, top: 10, right: 500, bottom: 170 });
    expect(ticks.at(-1)).toEqual({ value: 10, y: 10 });
    expect(ticks[0]).toEqual({ value: 0, y: 170 });
    expect(bars.map((b) => b.height)).toEqual([160, 80, 0]);
    expect(bars[0]!.y).toBe(10);
    expect(bars[1]!.y).toBe(90);
  });

  it('spreads the bars evenly across the plot with a gap', () => {
    const { bars } = layoutBars([1, 1, 1], (v) => v, box);
    expect(bars.map((b) => b.centre)).toEqual([125, 275, 425]);
    for (const bar of bars) {
      expect(bar.width).toBe(142);
      expect(bar.x + bar.width / 2).toBeCloseTo(bar.centre);
    }
  });

  it('draws a tiny but positive value at least 1 px tall', () => {
    const { bars } = layoutBars([1000, 0.001], (v) => v, box);
    expect(bars[1]!.height).toBe(1);
  });

  it('labels every bar when there is room, and every n-th bar counted from the last when not', () => {
    expect(layoutBars([1, 2, 3], (v) => v, box).bars.every((b) => b.labelled)).toBe(true);
    const crowded = layoutBars(
      Array.from({ length: 30 }, (_, i) => i),
      (v) => v,
      box,
      56,
    );
    // 450 px / 30 bars = 15 px a bar: every 4th bar gets a label, ending at the last.
    expect(crowded.bars.at(-1)!.labelled).toBe(true);
    expect(crowded.bars.filter((b) => b.labelled)).toHaveLength(8);
    const labelled = crowded.bars.filter((b) => b.labelled).map((b) => b.centre);
    for (let i = 1; i < labelled.length; i += 1)
      expect(labelled[i]! - labelled[i - 1]!).toBeGreaterThanOrEqual(56);
  });
});
