import { describe, expect, it } from "vitest";
import { compareQuery, readComparison } from "@/lib/compare";

const columns = ["date", "base", "other", "corr"].map((name) => ({ name, type: name === "date" ? "date" : "number" }));

describe("the comparison query and its result", () => {
  it("asks for both normalised closes and the correlation of returns computed on each instrument's own bars", () => {
    const query = compareQuery("ES", "last_126");
    expect(query.period).toBe("last_126");
    expect(query.map).toEqual({
      base: "close / first(close) * 100",
      other: "on('ES', close) / first(on('ES', close)) * 100",
      corr: "correlation(change_pct(close), on('ES', change_pct(close)))",
    });
  });

  it("keeps a symbol from closing the string literal it is quoted in", () => {
    expect((compareQuery("E'S", "last_year").map as Record<string, string>).other).toBe("on('ES', close) / first(on('ES', close)) * 100");
  });

  it("reads the points, leaves a gap where a value is missing and takes the correlation from the first row", () => {
    const comparison = readComparison({
      kind: "table",
      columns,
      rows: [["2024-01-02", 100, 100, 0.5], ["2024-01-03", 101, null, 0.5]],
      source: { period: ["2024-01-02", "2024-01-03"] },
    });
    expect(comparison).toEqual({
      points: [{ date: "2024-01-02", base: 100, other: 100 }, { date: "2024-01-03", base: 101, other: null }],
      correlation: 0.5,
      period: ["2024-01-02", "2024-01-03"],
    });
  });

  it("gives null for a result of another shape, and no correlation for an empty range", () => {
    expect(readComparison({ kind: "table", columns: columns.slice(0, 3), rows: [] })).toBeNull();
    expect(readComparison({ kind: "table", columns, rows: [] })).toEqual({ points: [], correlation: null, period: null });
  });
});
