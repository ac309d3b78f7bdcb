import { CandlestickSeries, createChart, HistogramSeries, type IChartApi, type ISeriesApi, type UTCTimestamp } from "lightweight-charts";
import { useEffect, useRef, useState } from "react";
import { ChartAttribution } from "@/components/charts/attribution";
import { CANDLE_COLORS, candlePriceFormat, chartOptions } from "@/components/charts/chart-theme";
import { ErrorAlert } from "@/components/ui/error-alert";
import { Spinner } from "@/components/ui/spinner";
import { useTheme } from "@/hooks/use-theme";
import { type Bar, barsToRows, mergeBars, zoneOffsetSeconds } from "@/lib/bars";
import { formatBarTime, formatNumber } from "@/lib/format";
import { useServices } from "@/state/services";

export type Timeframe = "daily" | "weekly" | "1h";
const TIMEFRAMES: Array<{ tf: Timeframe; label: string }> = [
  { tf: "1h", label: "1H" },
  { tf: "daily", label: "D" },
  { tf: "weekly", label: "W" },
];
const PAGE = 1000;

function volumeColor(bar: Bar): string {
  return bar.close >= bar.open ? "rgba(38,166,154,0.35)" : "rgba(239,83,80,0.35)";
}

/**
 * The instrument's candlestick chart with volume, a crosshair OHLCV readout and a timeframe switch. Zooming or
 * scrolling to the left edge loads older history. `onSample` reports whether the data is a synthetic sample.
 */
export function PriceChart({
  symbol,
  onSample,
  intraday: hasIntraday = true,
  timeZone = "UTC",
  tickSize,
}: {
  symbol: string;
  onSample?: (sample: boolean) => void;
  intraday?: boolean;
  /** Intraday bars are drawn in the exchange's time zone; daily and weekly bars are trade dates. */
  timeZone?: string;
  /** The instrument's price step, for the price axis' decimals. */
  tickSize?: number;
}) {
  const { api } = useServices();
  const { resolved } = useTheme();
  const host = useRef<HTMLDivElement>(null);
  const chartRef = useRef<IChartApi | null>(null);
  const candles = useRef<ISeriesApi<"Candlestick"> | null>(null);
  const volume = useRef<ISeriesApi<"Histogram"> | null>(null);
  const bars = useRef<Bar[]>([]);
  const [tf, setTf] = useState<Timeframe>("daily");
  const [status, setStatus] = useState<"loading" | "ready" | "empty" | "error">("loading");
  const [error, setError] = useState<unknown>(null);
  const [legend, setLegend] = useState<Bar | null>(null);
  const [unavailable, setUnavailable] = useState<Set<Timeframe>>(() => new Set(hasIntraday ? [] : ["1h"]));
  const [attempt, setAttempt] = useState(0);
  const shift = useRef<(t: number) => number>((t) => t);

  useEffect(() => {
    if (!host.current) return;
    const chart = createChart(host.current, chartOptions(resolved));
    chartRef.current = chart;
    candles.current = chart.addSeries(CandlestickSeries, {
      upColor: CANDLE_COLORS.up,
      downColor: CANDLE_COLORS.down,
      wickUpColor: CANDLE_COLORS.up,
      wickDownColor: CANDLE_COLORS.down,
      borderVisible: false,
      priceFormat: candlePriceFormat(tickSize),
    });
    volume.current = chart.addSeries(HistogramSeries, { priceScaleId: "volume", priceFormat: { type: "volume" }, lastValueVisible: false, priceLineVisible: false });
    chart.priceScale("volume").applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    chart.subscribeCrosshairMove((param) => {
      const t = param.time as number | undefined;
      setLegend(t === undefined ? null : (bars.current.find((b) => shift.current(b.time) === t) ?? null));
    });
    return () => {
      chart.remove();
      chartRef.current = null;
    };
    // The chart is rebuilt only per symbol (the tick size comes with it); theme changes are applied below without losing the zoom.
  }, [symbol, tickSize]);

  useEffect(() => {
    chartRef.current?.applyOptions(chartOptions(resolved));
  }, [resolved]);

  useEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    const controller = new AbortController();
    let loadingMore = false;
    let exhausted = false;
    shift.current = tf === "1h" ? (t) => t + zoneOffsetSeconds(t, timeZone) : (t) => t;
    const at = (b: Bar) => shift.current(b.time) as UTCTimestamp;
    const render = () => {
      candles.current?.setData(bars.current.map((b) => ({ time: at(b), open: b.open, high: b.high, low: b.low, close: b.close })));
      volume.current?.setData(bars.current.map((b) => ({ time: at(b), value: b.volume, color: volumeColor(b) })));
    };
    setStatus("loading");
    bars.current = [];
    render();
    api.bars(symbol, { tf, limit: PAGE }, controller.signal).then(
      (payload) => {
        bars.current = barsToRows(payload);
        // The server says when the limit cut older bars off; without that flag, ask until an empty page.
        exhausted = payload.truncated === false;
        onSample?.(payload.sample === true);
        render();
        if (bars.current.length === 0) {
          setStatus("empty");
          if (tf === "1h") setUnavailable((s) => new Set(s).add("1h"));
          return;
        }
        setStatus("ready");
        const n = bars.current.length;
        chart.timeScale().setVisibleLogicalRange({ from: Math.max(0, n - 120), to: n + 2 });
      },
      (e: unknown) => {
        if (controller.signal.aborted) return;
        setError(e);
        setStatus("error");
        if (tf === "1h") setUnavailable((s) => new Set(s).add("1h"));
      },
    );
    const onRange = (range: { from: number; to: number } | null) => {
      // Load older bars once less than a quarter of a screen of history is left of the view.
      if (!range || range.from > Math.max(10, (range.to - range.from) / 4) || loadingMore || exhausted || bars.current.length === 0) return;
      loadingMore = true;
      const first = bars.current[0]!.time;
      api.bars(symbol, { tf, to: first - 1, limit: PAGE }, controller.signal).then(
        (payload) => {
          const older = barsToRows(payload).filter((b) => b.time < first);
          if (older.length === 0 || payload.truncated === false) exhausted = true;
          if (older.length > 0) {
            const visible = chart.timeScale().getVisibleLogicalRange();
            bars.current = mergeBars(older, bars.current);
            render();
            if (visible) chart.timeScale().setVisibleLogicalRange({ from: visible.from + older.length, to: visible.to + older.length });
          }
          loadingMore = false;
        },
        () => {
          loadingMore = false;
          exhausted = true;
        },
      );
    };
    chart.timeScale().subscribeVisibleLogicalRangeChange(onRange);
    return () => {
      controller.abort();
      chart.timeScale().unsubscribeVisibleLogicalRangeChange(onRange);
    };
  }, [api, symbol, tf, attempt, onSample, timeZone]);

  const shown = legend ?? bars.current[bars.current.length - 1] ?? null;
  const intraday = tf === "1h";
  return (
    <figure className="chart-box" style={{ margin: "0 0 16px" }} aria-label={`${symbol} ${tf} candlestick chart`}>
      <div className="chart-toolbar">
        <div className="seg" role="group" aria-label="Timeframe">
          {TIMEFRAMES.map(({ tf: value, label }) => (
            <button key={value} type="button" aria-pressed={tf === value} disabled={unavailable.has(value) && tf !== value} title={unavailable.has(value) ? "No data at this timeframe" : undefined} onClick={() => setTf(value)}>
              {label}
            </button>
          ))}
        </div>
        {shown ? (
          <span className="chart-legend" aria-live="off">
            {formatBarTime(shift.current(shown.time), intraday)}
            {intraday ? ` ${timeZone}` : ""} O {formatNumber(shown.open)} H {formatNumber(shown.high)} L {formatNumber(shown.low)} C{" "}
            <span className={shown.close >= shown.open ? "up" : "down"}>{formatNumber(shown.close)}</span> V {formatNumber(shown.volume)}
          </span>
        ) : null}
        {status === "loading" ? <Spinner label="Loading bars" /> : null}
      </div>
      {/* The canvas holds the TradingView logo link, so it is not an image role; the text alternative is below. */}
      <div className="chart-canvas" ref={host} data-status={status} />
      {shown ? (
        <p className="sr-only">
          {`${bars.current.length} ${tf} bars; last close ${formatNumber(bars.current[bars.current.length - 1]?.close ?? shown.close)}.`}
        </p>
      ) : null}
      {status === "error" ? (
        <ErrorAlert
          error={error}
          onRetry={() => {
            if (tf === "1h") setTf("daily");
            else setAttempt((n) => n + 1);
          }}
        />
      ) : null}
      {status === "empty" ? <p className="empty">No bars at this timeframe.</p> : null}
      <ChartAttribution />
    </figure>
  );
}
