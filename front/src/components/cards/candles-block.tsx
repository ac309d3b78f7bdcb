import { CandlestickSeries, createChart, createSeriesMarkers, type SeriesMarker, type Time } from "lightweight-charts";
import { useEffect, useMemo, useRef } from "react";
import { ChartAttribution } from "@/components/charts/attribution";
import { CANDLE_COLORS, candlePriceFormat, chartOptions } from "@/components/charts/chart-theme";
import { useEveningOpen } from "@/hooks/use-evening-open";
import { useTheme } from "@/hooks/use-theme";
import type { Block } from "@/lib/api-types";
import { blockCandles } from "@/lib/blocks";

/** Candles with trade markers (entries below the bar, exits above), e.g. a backtest's trades on price. */
export function CandlesBlock({ block, title, symbol }: { block: Block; title: string; symbol: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const { resolved } = useTheme();
  const openMinute = useEveningOpen(symbol, true);
  const { candles, markers } = useMemo(() => blockCandles(block, openMinute), [block, openMinute]);
  const intraday = typeof candles[0]?.time === "number";
  useEffect(() => {
    if (!ref.current || candles.length === 0) return;
    const chart = createChart(ref.current, chartOptions(resolved));
    chart.applyOptions({ timeScale: { timeVisible: intraday } });
    const series = chart.addSeries(CandlestickSeries, {
      upColor: CANDLE_COLORS.up,
      downColor: CANDLE_COLORS.down,
      wickUpColor: CANDLE_COLORS.up,
      wickDownColor: CANDLE_COLORS.down,
      borderVisible: false,
      priceFormat: candlePriceFormat(),
    });
    series.setData(candles.map((c) => ({ ...c, time: c.time as Time })));
    const marks: SeriesMarker<Time>[] = markers.map((m) => ({
      time: m.time as Time,
      position: m.position,
      shape: m.kind === "entry" ? "arrowUp" : m.kind === "exit" ? "arrowDown" : "circle",
      color: m.kind === "exit" ? "#d97706" : "#2563eb",
      text: m.text,
    }));
    createSeriesMarkers(series, marks);
    chart.timeScale().fitContent();
    return () => chart.remove();
  }, [candles, markers, resolved, intraday]);
  if (candles.length === 0) return <p className="empty">No candles to show.</p>;
  return (
    <figure style={{ margin: 0 }} aria-label={`${title}: ${candles.length} candles with ${markers.length} trade markers`}>
      <div ref={ref} style={{ height: 300 }} />
      <ChartAttribution />
    </figure>
  );
}
