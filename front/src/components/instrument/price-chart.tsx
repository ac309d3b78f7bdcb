import { CandlestickSeries, createChart, HistogramSeries, type IChartApi, type ISeriesApi, type UTCTimestamp } from "lightweight-charts";
import { type KeyboardEvent, useEffect, useId, useRef, useState } from "react";
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
const BAR_NAMES: Record<Timeframe, string> = { "1h": "hourly bars", daily: "daily bars", weekly: "weekly bars" };
/** How far each key moves the keyboard crosshair, in bars (Home and End go to the ends). */
const KEY_STEPS: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, PageDown: -10, PageUp: 10 };

/** Puts the crosshair on a bar, as the mouse would (the chart draws it only inside the visible range). */
function placeCrosshair(chart: IChartApi, series: ISeriesApi<"Candlestick">, bar: Bar, shift: (t: number) => number): void {
  chart.setCrosshairPosition(bar.close, shift(bar.time) as UTCTimestamp, series);
}

function volumeColor(bar: Bar): string {
  return bar.close >= bar.open ? "rgba(38,166,154,0.35)" : "rgba(239,83,80,0.35)";
}

/**
 * The instrument's candlestick chart with volume, a crosshair OHLCV readout and a timeframe switch. Zooming or
 * scrolling to the left edge loads older history. `onSample` reports whether the data is a synthetic sample. The
 * chart takes focus: arrows, Page Up/Down and Home/End move the crosshair bar by bar, the readout follows and a
 * live region reads the bar out.
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
  /** What the keyboard crosshair last said about its bar, for screen readers (mouse moves say nothing). */
  const [announcement, setAnnouncement] = useState("");
  /** The bar (by its time) the keyboard crosshair starts from: the one last under the crosshair, else the newest. */
  const cursor = useRef<number | null>(null);
  const keyboardCrosshair = useRef(false);
  const descriptionId = useId();
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
    // A keyboard move that scrolled (or older bars arriving) takes effect on the next frame: place the crosshair again then.
    chart.timeScale().subscribeVisibleLogicalRangeChange(() => {
      const bar = keyboardCrosshair.current ? bars.current.find((b) => b.time === cursor.current) : undefined;
      if (bar && candles.current) placeCrosshair(chart, candles.current, bar, shift.current);
    });
    chart.subscribeCrosshairMove((param) => {
      // New data or a scroll re-fires the crosshair at its old x (a different bar): the keyboard's bar stands until
      // the mouse itself moves.
      if (!param.sourceEvent && keyboardCrosshair.current) return;
      keyboardCrosshair.current = false;
      const t = param.time as number | undefined;
      const bar = t === undefined ? null : (bars.current.find((b) => shift.current(b.time) === t) ?? null);
      if (bar) cursor.current = bar.time;
      setLegend(bar);
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
    cursor.current = null;
    keyboardCrosshair.current = false;
    setLegend(null);
    setAnnouncement("");
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
  const barLabel = (bar: Bar) => `${formatBarTime(shift.current(bar.time), intraday)}${intraday ? ` ${timeZone}` : ""}`;

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const chart = chartRef.current;
    const list = bars.current;
    if (!chart || !candles.current || list.length === 0) return;
    if (e.key === "Escape") {
      if (!keyboardCrosshair.current) return;
      // Esc hides this crosshair only; the drawer or panel behind the chart stays open.
      e.stopPropagation();
      keyboardCrosshair.current = false;
      chart.clearCrosshairPosition();
      setLegend(null);
      setAnnouncement("");
      return;
    }
    const step = KEY_STEPS[e.key];
    if (step === undefined && e.key !== "Home" && e.key !== "End") return;
    e.preventDefault();
    const from = cursor.current === null ? -1 : list.findIndex((b) => b.time === cursor.current);
    const at = from === -1 ? list.length - 1 : from;
    const index = e.key === "Home" ? 0 : e.key === "End" ? list.length - 1 : Math.min(list.length - 1, Math.max(0, at + (step ?? 0)));
    const bar = list[index]!;
    // Scroll the bar into view (at the left edge this loads older history; the bar is tracked by time, so it stays).
    const range = chart.timeScale().getVisibleLogicalRange();
    if (range && (index < range.from || index > range.to - 1)) {
      const width = range.to - range.from;
      const start = index < range.from ? index - 1 : index - width + 2;
      chart.timeScale().setVisibleLogicalRange({ from: start, to: start + width });
    }
    cursor.current = bar.time;
    keyboardCrosshair.current = true;
    placeCrosshair(chart, candles.current, bar, shift.current);
    setLegend(bar);
    setAnnouncement(
      `${barLabel(bar)}: open ${formatNumber(bar.open)}, high ${formatNumber(bar.high)}, low ${formatNumber(bar.low)}, close ${formatNumber(bar.close)}, volume ${formatNumber(bar.volume)}`,
    );
  };
  return (
    <figure className="chart-box" style={{ margin: "0 0 16px" }}>
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
            {barLabel(shown)} O {formatNumber(shown.open)} H {formatNumber(shown.high)} L {formatNumber(shown.low)} C{" "}
            <span className={shown.close >= shown.open ? "up" : "down"}>{formatNumber(shown.close)}</span> V {formatNumber(shown.volume)}
          </span>
        ) : null}
        {status === "loading" ? <Spinner label="Loading bars" /> : null}
      </div>
      {/*
        An application, not an image: it holds the TradingView logo link (an image's children are presentational) and
        it handles the arrow keys itself. Hidden (height 0) with no bars, it leaves the Tab order.
      */}
      <div
        className="chart-canvas"
        ref={host}
        data-status={status}
        role="application"
        aria-roledescription="chart"
        aria-label={`${symbol} price chart, ${BAR_NAMES[tf]}`}
        aria-describedby={descriptionId}
        tabIndex={status === "ready" || status === "loading" ? 0 : -1}
        onKeyDown={onKeyDown}
        onBlur={(e) => {
          if (e.currentTarget.contains(e.relatedTarget) || !keyboardCrosshair.current) return;
          keyboardCrosshair.current = false;
          chartRef.current?.clearCrosshairPosition();
          setLegend(null);
        }}
      />
      <p id={descriptionId} className="sr-only">
        {bars.current.length > 0 ? `${bars.current.length} ${BAR_NAMES[tf]}; last close ${formatNumber(bars.current[bars.current.length - 1]!.close)}. ` : ""}
        Left and Right arrows move between bars, Page Up and Page Down by ten, Home and End to the first and last.
      </p>
      <p className="sr-only" aria-live="polite" aria-atomic="true">
        {announcement}
      </p>
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
