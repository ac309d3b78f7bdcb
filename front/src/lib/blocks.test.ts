import { describe, expect, it } from "vitest";
import { blockCandles, blockMetrics, blockQuery, blockTable, chartSeries } from "@/lib/blocks";

describe("blockTable", () => {
  it("reads the engine's columnar result", () => {
    const t = blockTable({
      type: "table",
      columns: [{ name: "date", type: "date" }, { name: "chg", type: "number" }],
      rows: [["2024-01-02", -2.6]],
      truncated: true,
      total_rows: 20000,
    });
    expect(t).toEqual({
      columns: [{ name: "date", type: "date" }, { name: "chg", type: "number" }],
      rows: [["2024-01-02", -2.6]],
      truncated: true,
      totalRows: 20000,
    });
  });

  it("reads lists of records and infers column types", () => {
    const t = blockTable({ type: "trades", trades: [{ entry: "2024-01-02", pnl: 12.5, n: 1 }, { entry: "2024-01-05", pnl: -3, n: 2 }] });
    expect(t?.columns).toEqual([
      { name: "entry", type: "date" },
      { name: "pnl", type: "number" },
      { name: "n", type: "integer" },
    ]);
    expect(t?.rows[1]).toEqual(["2024-01-05", -3, 2]);
  });

  it("reads columnar objects and nested results", () => {
    expect(blockTable({ type: "line-chart", data: { date: ["a", "b"], v: [1, 2] } })?.rows).toEqual([["a", 1], ["b", 2]]);
    expect(blockTable({ type: "table", result: { columns: ["a"], rows: [[1]] } })?.columns).toEqual([{ name: "a", type: "integer" }]);
    expect(blockTable({ type: "table" })).toBeNull();
  });
});

describe("chartSeries", () => {
  it("uses x and y keys when given, else the first column and numeric columns", () => {
    const block = { type: "bar-chart", columns: [{ name: "dow", type: "integer", format: "weekday" }, { name: "r", type: "number" }], rows: [[0, 1.5]] };
    expect(chartSeries({ ...block, x: "dow", y: ["r"] })).toMatchObject({ x: 0, ys: [1] });
    expect(chartSeries(block)).toMatchObject({ x: 0, ys: [1] });
    expect(chartSeries({ type: "bar-chart", category_key: "k", value_key: "v", rows: [{ k: "a", v: 1 }] })).toMatchObject({ x: 0, ys: [1] });
  });
});

describe("metrics, candles and queries", () => {
  it("reads metrics from items or an object", () => {
    expect(blockMetrics({ type: "metrics-grid", items: [{ label: "Win rate", value: "55%", color: "green" }] })).toEqual([
      { label: "Win rate", value: "55%", tone: "positive" },
    ]);
    expect(blockMetrics({ type: "metrics-grid", metrics: { "Total P&L": -120.5 } })).toEqual([
      { label: "Total P&L", value: "-120.5", tone: "negative" },
    ]);
  });

  it("reads candles and trade markers", () => {
    const { candles, markers } = blockCandles({
      type: "candles",
      columns: ["date", "open", "high", "low", "close"],
      rows: [["2024-01-02", 1, 2, 0.5, 1.5], ["2024-01-03", null, 2, 1, 1]],
      markers: [{ time: "2024-01-02", kind: "entry", text: "Buy" }, { date: "2024-01-03", kind: "exit" }],
    });
    expect(candles).toEqual([{ time: "2024-01-02", open: 1, high: 2, low: 0.5, close: 1.5 }]);
    expect(markers.map((m) => [m.position, m.kind])).toEqual([["belowBar", "entry"], ["aboveBar", "exit"]]);
  });

  it("puts candles in time order, whatever the result was sorted by", () => {
    const { candles } = blockCandles({
      type: "candles",
      columns: ["date", "open", "high", "low", "close"],
      rows: [["2024-01-03", 2, 3, 1, 2], ["2024-01-02", 1, 2, 0.5, 1.5], ["2024-01-03", 2, 3, 1, 2.5]],
    });
    expect(candles.map((c) => [c.time, c.close])).toEqual([["2024-01-02", 1.5], ["2024-01-03", 2.5]]);
  });

  it("times intraday candles by calendar date and clock time, so evening bars come before the next morning", () => {
    // Engine rows: the 18:00 bar carries the next trade date.
    const block = {
      type: "candles",
      columns: [{ name: "date", type: "date" }, { name: "time", type: "time" }, "open", "high", "low", "close"],
      rows: [["2026-11-30", "09:30", 3, 3, 3, 3], ["2026-11-30", "18:00", 2, 2, 2, 2]],
    };
    const at = (iso: string) => Date.parse(iso) / 1000;
    expect(blockCandles(block, 18 * 60).candles.map((c) => [c.time, c.close])).toEqual([
      [at("2026-11-29T18:00:00Z"), 2],
      [at("2026-11-30T09:30:00Z"), 3],
    ]);
  });

  it("finds the query on the block or in the tool input", () => {
    expect(blockQuery({ type: "table", query: { from: "daily" } })).toEqual({ from: "daily" });
    expect(blockQuery({ type: "table" }, { query: { period: "2024" }, title: "x" })).toEqual({ period: "2024" });
    expect(blockQuery(undefined, null)).toBeNull();
  });
});
