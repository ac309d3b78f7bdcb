import { describe, expect, it } from "vitest";
import { barsToRows, mergeBars } from "@/lib/bars";

describe("bars", () => {
  it("turns columnar bars into rows and tolerates extra columns and gaps", () => {
    const rows = barsToRows({
      data: {
        time: [1, 2, 3],
        open: [10, 11, null],
        high: [12, 13, 14],
        low: [9, 10, 11],
        close: [11, 12, 13],
        volume: [100, null, 300],
        open_interest: [5, 6, 7],
      },
    });
    expect(rows).toEqual([
      { time: 1, open: 10, high: 12, low: 9, close: 11, volume: 100 },
      { time: 2, open: 11, high: 13, low: 10, close: 12, volume: 0 },
    ]);
  });

  it("merges older history in front without duplicates", () => {
    const bar = (time: number, close: number) => ({ time, open: close, high: close, low: close, close, volume: 0 });
    expect(mergeBars([bar(1, 1), bar(2, 2)], [bar(2, 20), bar(3, 3)]).map((b) => [b.time, b.close])).toEqual([
      [1, 1],
      [2, 20],
      [3, 3],
    ]);
  });
});

describe("exchange time", () => {
  it("gives the DST-aware offset of a time zone", async () => {
    const { zoneOffsetSeconds } = await import("@/lib/bars");
    expect(zoneOffsetSeconds(Date.UTC(2024, 0, 15, 14, 30) / 1000, "America/New_York")).toBe(-5 * 3600);
    expect(zoneOffsetSeconds(Date.UTC(2024, 6, 15, 14, 30) / 1000, "America/New_York")).toBe(-4 * 3600);
    expect(zoneOffsetSeconds(Date.UTC(2024, 6, 15, 14, 30) / 1000, "UTC")).toBe(0);
  });
});
