import { lazy, Suspense, useId, useMemo, useState } from "react";
import { ErrorAlert } from "@/components/ui/error-alert";
import { Spinner } from "@/components/ui/spinner";
import { useResource } from "@/hooks/use-resource";
import type { Instrument } from "@/lib/api-types";
import { COMPARE_RANGES, type CompareRange, type Comparison, compareQuery, readComparison } from "@/lib/compare";
import { formatNumber } from "@/lib/format";
import { useServices } from "@/state/services";

const OverlayChart = lazy(() => import("@/components/charts/overlay-chart").then((m) => ({ default: m.OverlayChart })));

/** Instruments another one can be compared with: those with bars, itself left out. */
const choicesFor = (catalogue: Instrument[] | null, symbol: string) =>
  (catalogue ?? []).filter((i) => i.symbol !== symbol && i.data?.available === true);

function ComparisonResult({ symbol, other, comparison }: { symbol: string; other: string; comparison: Comparison }) {
  const lines = useMemo(
    () => [
      { name: symbol, points: comparison.points.map((p) => ({ time: p.date, value: p.base })) },
      { name: other, points: comparison.points.map((p) => ({ time: p.date, value: p.other })) },
    ],
    [symbol, other, comparison],
  );
  if (comparison.points.length === 0) return <p className="empty">No bars in this range.</p>;
  const since = comparison.period?.[0] ?? comparison.points[0]!.date;
  return (
    <>
      <p className="compare-correlation">
        Correlation of daily returns:{" "}
        <strong>{comparison.correlation === null ? "—" : formatNumber(comparison.correlation, 2)}</strong>
        <span className="muted">
          {" "}
          · {since} → {comparison.period?.[1] ?? comparison.points[comparison.points.length - 1]!.date}
        </span>
      </p>
      <Suspense fallback={<div className="chart-canvas" aria-busy="true" />}>
        <OverlayChart lines={lines} label={`${symbol} and ${other} closes, each 100 on ${since}`} />
      </Suspense>
    </>
  );
}

/**
 * Compares the page's instrument with another from the catalogue: both closes normalised to 100 on the range's
 * first day, overlaid, and the correlation of their daily returns, all from one query through `POST /api/query`.
 */
export function CompareView({ symbol }: { symbol: string }) {
  const { api } = useServices();
  const selectId = useId();
  const [other, setOther] = useState("");
  const [range, setRange] = useState<CompareRange>("1Y");
  const period = COMPARE_RANGES.find((r) => r.range === range)!.period;
  const catalogue = useResource((signal) => api.instruments("", signal), [api]);
  const choices = choicesFor(catalogue.data, symbol);
  // The answer names the instrument it is for: while another loads, the one shown keeps its own labels.
  const result = useResource(
    (signal) =>
      other ? api.query(symbol, compareQuery(other, period), signal).then((r) => ({ other, comparison: readComparison(r) })) : Promise.resolve(null),
    [api, symbol, other, period],
  );
  const shown = other ? result.data : null;
  const busy = !!other && result.status === "loading";
  return (
    <section className="chart-box" aria-label={`Compare ${symbol}`}>
      <div className="chart-toolbar">
        <label htmlFor={selectId} style={{ fontSize: 13, fontWeight: 600 }}>
          Compare with
        </label>
        <select id={selectId} className="input compare-select" value={other} onChange={(e) => setOther(e.target.value)} disabled={choices.length === 0}>
          <option value="">{catalogue.status === "loading" ? "Loading instruments…" : choices.length ? "Choose an instrument" : "No other instrument has data"}</option>
          {choices.map((i) => (
            <option key={i.symbol} value={i.symbol}>
              {i.symbol}
              {i.name ? ` · ${i.name}` : ""}
            </option>
          ))}
        </select>
        <div className="seg" role="group" aria-label="Comparison range">
          {COMPARE_RANGES.map((r) => (
            <button key={r.range} type="button" aria-pressed={range === r.range} aria-label={r.label} onClick={() => setRange(r.range)}>
              {r.range}
            </button>
          ))}
        </div>
        {busy ? <Spinner label="Loading the comparison" /> : null}
      </div>
      {catalogue.status === "error" ? <ErrorAlert error={catalogue.error} onRetry={catalogue.reload} /> : null}
      {other && result.status === "error" ? <ErrorAlert error={result.error} onRetry={result.reload} /> : null}
      {shown && shown.comparison === null ? <p className="empty">The comparison could not be read.</p> : null}
      {shown?.comparison ? <ComparisonResult symbol={symbol} other={shown.other} comparison={shown.comparison} /> : null}
    </section>
  );
}
