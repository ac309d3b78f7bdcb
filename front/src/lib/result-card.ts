import type { Block, DataCard, QueryResult } from "@/lib/api-types";

const CHART_BLOCK = { bar: "bar-chart", line: "line-chart", candles: "candles" } as const;

function metricItems(label: string, value: unknown): Array<{ label: string; value: unknown }> {
  if (Array.isArray(value)) return value.map((v, i) => ({ label: `${label} ${i + 1}`, value: v }));
  if (value && typeof value === "object") return Object.entries(value as Record<string, unknown>).map(([k, v]) => ({ label: k, value: v }));
  return [{ label, value }];
}

/** Turns the engine's result object (`BARB_SCRIPT.md` §5) into the same card the chat shows. */
export function resultToCard(result: QueryResult, title: string): DataCard {
  const blocks: Block[] = [];
  if (result.kind === "scalar") {
    const name = result.columns?.[0]?.name ?? "Value";
    blocks.push({ type: "metrics-grid", items: metricItems(name, result.value) });
  } else if (result.kind === "values") {
    blocks.push({ type: "metrics-grid", items: metricItems("Value", result.values) });
  }
  if (result.chart && result.rows?.length) {
    blocks.push({ type: CHART_BLOCK[result.chart.type] ?? "line-chart", columns: result.columns, rows: result.rows, x: result.chart.x, y: result.chart.y });
  }
  if ((result.kind === "table" || result.kind === "grouped" || result.rows?.length) && Array.isArray(result.columns)) {
    blocks.push({ type: "table", columns: result.columns, rows: result.rows ?? [], truncated: result.truncated, total_rows: result.total_rows, query: result.query });
  }
  return { title, blocks };
}
