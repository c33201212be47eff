import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { layoutBars } from './chart-scale.ts';

export interface BarDatum {
  key: string;
  value: number;
  /** Under the bar (thinned out when bars are narrow). */
  label: string;
  /** The bar's tooltip and accessible text: "3 Nov: 42 min in 5 sessions". */
  description: string;
}

const HEIGHT = 260;
/** About half the width of a day label ("Nov 23") at the chart's font size. */
const HALF_LABEL = 22;

/** Centred under its bar, unless that would cut it off at the chart's right edge. */
function labelPlacement(
  centre: number,
  width: number,
): { x: number; 'text-anchor': 'middle' | 'end' } {
  return centre + HALF_LABEL > width
    ? { x: width - 1, 'text-anchor': 'end' }
    : { x: centre, 'text-anchor': 'middle' };
}
// The right padding keeps today's label (under the last bar) inside the chart.
const PADDING = { top: 16, right: 16, bottom: 32, left: 52 };

/**
 * A bar chart as inline SVG (geometry in attributes only; the page's CSP allows no style strings),
 * sized to its container. It is an image with a title and description for screen readers; each bar
 * has a <title> tooltip; the page gives a table alongside for the numbers themselves.
 */
export function BarChart(props: {
  data: readonly BarDatum[];
  title: string;
  description: string;
  formatTick: (value: number) => string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(640);
  const id = useId();
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const measure = () =>
      setWidth(Math.max(240, Math.floor(element.getBoundingClientRect().width)));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const padding = width < 480 ? { ...PADDING, left: 44 } : PADDING;
  // Labels at least 60 px apart: a day label is about 40 px wide, and the last one may be pulled in from the edge.
  const layout = layoutBars(props.data, (d) => d.value, { width, height: HEIGHT, padding }, 60);
  const { plot } = layout;
  return (
    <div class="bar-chart" ref={box}>
      <svg
        class="bar-chart__svg"
        width={width}
        height={HEIGHT}
        viewBox={`0 0 ${width} ${HEIGHT}`}
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
      >
        <title id={`${id}-title`}>{props.title}</title>
        <desc id={`${id}-desc`}>{props.description}</desc>
        <g class="bar-chart__grid" aria-hidden="true">
          {layout.ticks.map((tick) => (
            <g key={tick.value}>
              <line
                x1={plot.left}
                x2={plot.right}
                y1={tick.y}
                y2={tick.y}
                class={tick.value === 0 ? 'bar-chart__axis' : 'bar-chart__gridline'}
              />
              <text
                x={plot.left - 8}
                y={tick.y}
                class="bar-chart__tick"
                text-anchor="end"
                dominant-baseline="middle"
              >
                {props.formatTick(tick.value)}
              </text>
            </g>
          ))}
        </g>
        <g class="bar-chart__bars">
          {layout.bars.map((bar) => (
            <g key={bar.datum.key}>
              {bar.height > 0 ? (
                <rect
                  class="bar-chart__bar"
                  x={bar.x}
                  y={bar.y}
                  width={bar.width}
                  height={bar.height}
                  rx={Math.min(3, bar.width / 3)}
                >
                  <title>{bar.datum.description}</title>
                </rect>
              ) : null}
              {bar.labelled ? (
                <text
                  {...labelPlacement(bar.centre, width)}
                  y={plot.bottom + 18}
                  class="bar-chart__label"
                  aria-hidden="true"
                >
                  {bar.datum.label}
                </text>
              ) : null}
            </g>
          ))}
        </g>
      </svg>
    </div>
  );
}
