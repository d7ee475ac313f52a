/**
 * A line chart (uPlot) of one or more series over a shared x axis. Series
 * with different x values are aligned on the union of their x values, with
 * gaps spanned. The element carries data-points (the points drawn, all
 * series together) so that tests can read what was drawn.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  x: number[];
  y: number[];
}

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];

/** uPlot's data layout: one sorted x array, one y array per series (null where a series has no point). */
export function align(series: Series[]): uPlot.AlignedData {
  const xs = [...new Set(series.flatMap((s) => s.x))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = series.map((s) => {
    const y: (number | null)[] = new Array(xs.length).fill(null);
    s.x.forEach((x, i) => (y[index.get(x)!] = s.y[i]));
    return y;
  });
  return [xs, ...ys];
}

/** A y tick label: short, and readable for tiny values such as learning rates. */
function tick(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  return abs >= 1e5 || abs < 1e-3 ? value.toExponential(1) : Number(value.toPrecision(3)).toString();
}

export function Chart(props: {
  title: string;
  series: Series[];
  xLabel?: string;
  height?: number;
  testId?: string;
  /** Called with the x range the user zoomed to by dragging over the chart. */
  onRange?: (min: number, max: number) => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const onRange = useRef(props.onRange);
  onRange.current = props.onRange;
  const labels = props.series.map((s) => s.label).join('\u0000');
  const points = props.series.reduce((n, s) => n + s.x.length, 0);

  // A new plot when the set of series changes; otherwise only new data.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const options: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: props.height ?? 220,
      title: props.title,
      scales: { x: { time: false } },
      axes: [{ label: props.xLabel ?? 'step' }, { size: 64, values: (_u, ticks) => ticks.map(tick) }],
      series: [{ label: props.xLabel ?? 'step' }, ...props.series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: true, points: { show: false } }))],
      hooks: {
        // A drag selection zooms the x scale; report the range the user chose (not the automatic ranges of new data).
        setSelect: [
          (u) => {
            if (u.select.width <= 0) return;
            onRange.current?.(u.posToVal(u.select.left, 'x'), u.posToVal(u.select.left + u.select.width, 'x'));
          },
        ],
      },
    };
    const u = new uPlot(options, align(props.series), el);
    plot.current = u;
    const resize = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height: props.height ?? 220 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [labels, props.title, props.height, props.xLabel]);

  useEffect(() => {
    plot.current?.setData(align(props.series));
  }, [props.series]);

  return <div className="chart" ref={box} data-testid={props.testId} data-points={points} data-series={props.series.length} />;
}
