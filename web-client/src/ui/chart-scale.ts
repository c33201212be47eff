/** The arithmetic behind the bar chart: nice axis ticks and where each bar goes. */

/**
 * Round tick values from 0 covering `max`: steps of 1, 2, 2.5 or 5 times a power of ten, about
 * `target` of them. The last tick is at or above `max`, so it is the axis's top.
 */
export function niceTicks(max: number, target = 5): number[] {
  if (!Number.isFinite(max) || max <= 0) return [0, 1];
  const rough = max / Math.max(1, target);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step =
    [1, 2, 2.5, 5, 10].map((m) => m * power).find((candidate) => candidate >= rough) ?? 10 * power;
  const count = Math.ceil(max / step - 1e-9);
  return Array.from({ length: count + 1 }, (_, i) => roundTick(i * step));
}

/** Removes floating-point noise (0.30000000000000004 → 0.3). */
function roundTick(value: number): number {
  return Number.parseFloat(value.toPrecision(12));
}

export interface ChartBox {
  width: number;
  height: number;
  /** Room for the y-axis labels on the left and the x-axis labels below. */
  padding: { top: number; right: number; bottom: number; left: number };
}

export interface BarLayout<T> {
  datum: T;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Where the bar's x-axis label would be centred. */
  centre: number;
  /** Whether this bar's label is drawn (labels thin out when bars are narrow). */
  labelled: boolean;
}

export interface ChartLayout<T> {
  bars: BarLayout<T>[];
  ticks: { value: number; y: number }[];
  plot: { left: number; top: number; right: number; bottom: number };
}

/**
 * Places one bar per datum across the plot, scaled so the top tick is the plot's top. A value
 * above zero is at least 1 px tall, so a short day still shows. Every `labelEvery`-th bar, counted
 * from the last (today), gets an x label, so labels never overlap at `minLabelGap` px.
 */
export function layoutBars<T>(
  data: readonly T[],
  valueOf: (datum: T) => number,
  box: ChartBox,
  minLabelGap = 56,
): ChartLayout<T> {
  const plot = {
    left: box.padding.left,
    top: box.padding.top,
    right: Math.max(box.padding.left + 1, box.width - box.padding.right),
    bottom: Math.max(box.padding.top + 1, box.height - box.padding.bottom),
  };
  const plotWidth = plot.right - plot.left;
  const plotHeight = plot.bottom - plot.top;
  const max = data.reduce((m, d) => Math.max(m, valueOf(d)), 0);
  const tickValues = niceTicks(max);
  const top = tickValues.at(-1) ?? 1;
  const ticks = tickValues.map((value) => ({ value, y: plot.bottom - (value / top) * plotHeight }));

  const slot = data.length > 0 ? plotWidth / data.length : plotWidth;
  const gap = Math.min(slot * 0.25, 8);
  const labelEvery = Math.max(1, Math.ceil(minLabelGap / slot));
  const bars = data.map((datum, i) => {
    const value = Math.max(0, valueOf(datum));
    const height = value > 0 ? Math.max(1, (value / top) * plotHeight) : 0;
    const x = plot.left + i * slot + gap / 2;
    return {
      datum,
      x,
      y: plot.bottom - height,
      width: Math.max(1, slot - gap),
      height,
      centre: plot.left + i * slot + slot / 2,
      labelled: (data.length - 1 - i) % labelEvery === 0,
    };
  });
  return { bars, ticks, plot };
}
