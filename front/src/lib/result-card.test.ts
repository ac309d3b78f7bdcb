import { describe, expect, it } from "vitest";
import { resultToCard } from "@/lib/result-card";

describe("resultToCard", () => {
  it("makes a chart and a table from a grouped result", () => {
    const card = resultToCard(
      {
        kind: "grouped",
        columns: [{ name: "dow", type: "integer", format: "weekday" }, { name: "mean_r", type: "number" }],
        rows: [[0, 1.5], [1, 2]],
        chart: { type: "bar", x: "dow", y: ["mean_r"] },
        query: { group_by: "dow" },
      },
      "Range by weekday",
    );
    expect(card.blocks.map((b) => b.type)).toEqual(["bar-chart", "table"]);
    expect(card.blocks[1]).toMatchObject({ query: { group_by: "dow" } });
  });

  it("shows scalars and values as metrics", () => {
    expect(resultToCard({ kind: "scalar", columns: [{ name: "count", type: "integer" }], rows: [], value: 42 }, "t").blocks).toEqual([
      { type: "metrics-grid", items: [{ label: "count", value: 42 }] },
    ]);
    expect(resultToCard({ kind: "values", columns: [], rows: [], values: { n: 3, pct: 61.2 } }, "t").blocks[0]).toEqual({
      type: "metrics-grid",
      items: [{ label: "n", value: 3 }, { label: "pct", value: 61.2 }],
    });
  });
});
