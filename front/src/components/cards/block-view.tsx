import { lazy, Suspense, useMemo } from "react";
import { LineChart, BarChart, ScatterChart } from "@/components/cards/svg-charts";
import { TableBlock } from "@/components/cards/table-block";
import { Spinner } from "@/components/ui/spinner";
import { useEveningOpen } from "@/hooks/use-evening-open";
import type { Block } from "@/lib/api-types";
import { blockMetrics, blockTable, chartSeries } from "@/lib/blocks";
import { hasTradeDates, withCalendarDates } from "@/lib/trade-dates";

const CandlesBlock = lazy(() => import("@/components/cards/candles-block").then((m) => ({ default: m.CandlesBlock })));

function MetricsGrid({ block }: { block: Block }) {
  const metrics = blockMetrics(block);
  if (metrics.length === 0) return <p className="empty">No metrics.</p>;
  return (
    <dl className="metrics">
      {metrics.map((m, i) => (
        <div key={`${m.label}-${i}`}>
          <dt>{m.label}</dt>
          <dd className={m.tone === "positive" ? "up" : m.tone === "negative" ? "down" : undefined}>{m.value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A table block; intraday rows show the bar's calendar date, with the trade date beside it where it differs. */
function ResultTable({ block, symbol, title, tall }: { block: Block; symbol: string; title: string; tall?: boolean }) {
  const table = useMemo(() => blockTable(block), [block]);
  const openMinute = useEveningOpen(symbol, !!table && hasTradeDates(table));
  const shown = useMemo(() => table && withCalendarDates(table, openMinute), [table, openMinute]);
  return shown ? <TableBlock table={shown} title={title} tall={tall} /> : <Unreadable type={block.type} />;
}

function Unreadable({ type }: { type: string }) {
  return <p className="empty">This {type} card has no data to show.</p>;
}

/** Renders one block by its type; a block this app cannot read says so instead of failing. */
export function BlockView({ block, cardTitle, symbol, tall }: { block: Block; cardTitle: string; symbol: string; tall?: boolean }) {
  const title = block.title ?? cardTitle;
  const heading = block.title && block.title !== cardTitle ? <h4 style={{ margin: "0 0 4px", fontSize: 13 }}>{block.title}</h4> : null;
  const body = (() => {
    switch (block.type) {
      case "table":
      case "trades":
        return <ResultTable block={block} symbol={symbol} title={title} tall={tall} />;
      case "bar-chart": {
        const series = chartSeries(block);
        return series ? <BarChart series={series} title={title} /> : <Unreadable type="chart" />;
      }
      case "line-chart": {
        const series = chartSeries(block);
        return series ? <LineChart series={series} title={title} /> : <Unreadable type="chart" />;
      }
      case "scatter": {
        const series = chartSeries(block);
        return series ? <ScatterChart series={series} title={title} /> : <Unreadable type="chart" />;
      }
      case "equity-curve": {
        const series = chartSeries({ ...block, y: block.y ?? "equity" });
        if (!series) return <Unreadable type="equity" />;
        const names = series.table.columns.map((c) => c.name);
        const dd = names.indexOf(typeof block.drawdown === "string" ? block.drawdown : "drawdown");
        return <LineChart series={{ ...series, ys: series.ys.filter((i) => i !== dd) }} title={title} drawdown={dd >= 0 ? dd : undefined} />;
      }
      case "metrics-grid":
        return <MetricsGrid block={block} />;
      case "candles":
        return (
          <Suspense fallback={<Spinner label="Loading chart" />}>
            <CandlesBlock block={block} title={title} symbol={symbol} />
          </Suspense>
        );
      default:
        return <p className="empty">This card type ({block.type}) cannot be shown here yet.</p>;
    }
  })();
  return (
    <div data-block={block.type}>
      {heading}
      {body}
    </div>
  );
}
