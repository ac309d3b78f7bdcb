import { createChart, LineSeries, type LineData, type Time, type WhitespaceData } from "lightweight-charts";
import { useEffect, useRef } from "react";
import { ChartAttribution } from "@/components/charts/attribution";
import { chartOptions, lineColors } from "@/components/charts/chart-theme";
import { useTheme } from "@/hooks/use-theme";

/** One line: its name and a value per trade date (`YYYY-MM-DD`); null leaves a gap (no bar that day). */
export interface OverlayLine {
  name: string;
  points: Array<{ time: string; value: number | null }>;
}

const toData = (points: OverlayLine["points"]): Array<LineData<Time> | WhitespaceData<Time>> =>
  points.map((p) => (p.value === null ? { time: p.time as Time } : { time: p.time as Time, value: p.value }));

/** Lines on one price scale over trade dates, e.g. two instruments normalised to 100; `label` describes the chart. */
export function OverlayChart({ lines, label }: { lines: OverlayLine[]; label: string }) {
  const host = useRef<HTMLDivElement>(null);
  const { resolved } = useTheme();
  useEffect(() => {
    if (!host.current) return;
    const chart = createChart(host.current, chartOptions(resolved));
    const colors = lineColors(resolved);
    lines.forEach((line, i) => {
      const series = chart.addSeries(LineSeries, { color: colors[i % colors.length], lineWidth: 2, title: line.name, priceLineVisible: false });
      series.setData(toData(line.points));
    });
    chart.timeScale().fitContent();
    return () => chart.remove();
  }, [lines, resolved]);
  const colors = lineColors(resolved);
  return (
    // The label is on the figure, not an img role on the canvas: the canvas holds the TradingView logo link.
    <figure style={{ margin: 0 }} aria-label={label}>
      <div ref={host} className="chart-canvas" />
      <figcaption className="legend">
        {lines.map((line, i) => (
          <span key={line.name}>
            <i style={{ background: colors[i % colors.length] }} />
            {line.name}
          </span>
        ))}
      </figcaption>
      <ChartAttribution />
    </figure>
  );
}
