import { describe, expect, it } from "vitest";
import type { TableData } from "@/lib/blocks";
import { eveningOpen, hasTradeDates, withCalendarDates } from "@/lib/trade-dates";

const cme = { sessions: { RTH: ["09:30", "16:15"], ETH: ["18:00", "17:00"] }, default_session: "RTH" };

const hourly: TableData = {
  columns: [
    { name: "date", type: "date" },
    { name: "time", type: "time" },
    { name: "close", type: "number" },
  ],
  rows: [
    ["2026-11-30", "17:00", 1],
    ["2026-11-30", "18:00", 2],
    ["2026-12-01", "09:30", 3],
  ],
  truncated: false,
  totalRows: null,
};

describe("trade dates of intraday rows", () => {
  it("finds where a trading day that wraps midnight opens", () => {
    expect(eveningOpen(cme)).toBe(18 * 60);
    expect(eveningOpen({ sessions: { RTH: ["09:30", "16:00"] }, default_session: "RTH" })).toBeNull();
    expect(eveningOpen({ sessions: { FULL: ["17:00", "16:00"] }, default_session: "FULL" })).toBe(17 * 60);
    expect(eveningOpen({})).toBeNull();
  });

  it("shows the calendar date of an evening bar and its trade date beside it", () => {
    // The 18:00 bar of Sunday 2026-11-29 belongs to Monday 11-30's trade date.
    const sunday: TableData = { ...hourly, rows: [["2026-11-30", "18:00", 2], ["2026-11-30", "19:00", 2.5], ["2026-11-30", "09:30", 3]] };
    const shown = withCalendarDates(sunday, eveningOpen(cme));
    expect(shown.columns.map((c) => c.name)).toEqual(["date", "time", "trade_date", "close"]);
    expect(shown.rows).toEqual([
      ["2026-11-29", "18:00", "2026-11-30", 2],
      ["2026-11-29", "19:00", "2026-11-30", 2.5],
      ["2026-11-30", "09:30", "", 3],
    ]);
  });

  it("crosses month and year ends", () => {
    const newYear: TableData = { ...hourly, rows: [["2027-01-01", "20:00", 1], ["2026-12-01", "18:00", 2]] };
    expect(withCalendarDates(newYear, 18 * 60).rows.map((r) => r[0])).toEqual(["2026-12-31", "2026-11-30"]);
  });

  it("leaves daily tables, day sessions and unknown sessions as they are", () => {
    const daily: TableData = { ...hourly, columns: [{ name: "date", type: "date" }, { name: "close", type: "number" }], rows: [["2026-11-30", 1]] };
    expect(hasTradeDates(daily)).toBe(false);
    expect(withCalendarDates(daily, 18 * 60)).toBe(daily);
    const rth: TableData = { ...hourly, rows: [["2026-11-30", "09:30", 1]] };
    expect(withCalendarDates(rth, 18 * 60)).toBe(rth);
    expect(withCalendarDates(hourly, null)).toBe(hourly);
  });
});
