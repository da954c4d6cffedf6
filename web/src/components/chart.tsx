import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

// Loaded only by the monitor view (dynamic import), so the other screens never download uPlot.

/** Distinct hues dark enough for 3:1 against white; every second series is also dashed, so colour is not the only cue. */
const PALETTE = ['#1d4ed8', '#c2410c', '#15803d', '#7e22ce', '#b91c1c', '#0e7490', '#a16207', '#be185d', '#4d7c0f', '#334155'];

export interface RateSeries {
  name: string;
  /** On-time rate 0..1 per month, null where nothing fell due. */
  values: Array<number | null>;
}

export function RateChart(props: { months: string[]; series: RateSeries[]; label: string; monthTitle: string; percent: (v: number | null) => string }) {
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const height = el.clientWidth < 500 ? 240 : 320;
    const data: uPlot.AlignedData = [props.months.map((_, i) => i), ...props.series.map((s) => s.values.map((v) => (v === null ? null : Math.round(v * 1000) / 10)))];
    const plot = new uPlot(
      {
        width: el.clientWidth,
        height,
        scales: { x: { time: false }, y: { range: [0, 100] } },
        axes: [
          { values: (_u, splits) => splits.map((i) => (Number.isInteger(i) ? (props.months[i] ?? '') : '')), incrs: [1, 2, 3, 6], space: 64, stroke: '#333' },
          { values: (_u, splits) => splits.map((v) => `${v}%`), stroke: '#333', size: 48 },
        ],
        series: [
          { label: props.monthTitle, value: (_u, i) => (i === null ? '' : (props.months[i] ?? '')) },
          ...props.series.map((s, i) => ({
            label: s.name,
            stroke: PALETTE[i % PALETTE.length],
            width: 2,
            dash: i % 2 ? [6, 4] : undefined,
            points: { show: true, size: 6 },
            value: (_u: uPlot, v: number | null) => props.percent(v === null ? null : v / 100),
          })),
        ],
        legend: { live: true },
        cursor: { drag: { x: false, y: false } },
      },
      data,
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [props.months, props.series]);

  return <div ref={box} class="chart" role="img" aria-label={props.label} />;
}
