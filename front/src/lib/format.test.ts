import { describe, expect, it } from "vitest";
import { columnFormatter, columnLabel, formatBarTime, formatCell, formatNumber, instrumentList, otherInstruments, priceFormatter } from "@/lib/format";
import { niceTicks } from "@/lib/ticks";

describe("numbers and cells", () => {
  it("groups thousands and keeps integers whole", () => {
    expect(formatNumber(1234567)).toBe("1,234,567");
    expect(formatNumber(-42)).toBe("-42");
  });

  it("rounds decimals by magnitude", () => {
    expect(formatNumber(21456.789)).toBe("21,456.79");
    expect(formatNumber(3.14159)).toBe("3.14");
    expect(formatNumber(0.123456)).toBe("0.1235");
    expect(formatNumber(Number.NaN)).toBe("—");
  });

  it("formats cells by column type and engine format hints", () => {
    expect(formatCell(null, { type: "number" })).toBe("—");
    expect(formatCell(1500.5, { type: "integer" })).toBe("1,501");
    expect(formatCell(0, { type: "integer", format: "weekday" })).toBe("Monday");
    expect(formatCell(3, { type: "integer", format: "month" })).toBe("March");
    expect(formatCell(61.234, { type: "number", format: "percent" })).toBe("61.23%");
    expect(formatCell(true, { type: "boolean" })).toBe("Yes");
    expect(formatCell("2024-03-15", { type: "date" })).toBe("2024-03-15");
  });

  it("labels columns readably", () => {
    expect(columnLabel("dow")).toBe("Day of week");
    expect(columnLabel("gap_fill_pct")).toBe("Gap fill %");
    expect(columnLabel("chg_pct")).toBe("Chg %");
    expect(columnLabel("pct_filled")).toBe("% filled");
    expect(columnLabel("pctile")).toBe("Pctile");
    expect(columnLabel("close")).toBe("Close");
  });
});

describe("column formatting and ticks", () => {
  it("formats bar times in UTC", () => {
    expect(formatBarTime(1704067200, false)).toBe("2024-01-01");
    expect(formatBarTime(1704067200 + 3600 * 14.5, true)).toBe("2024-01-01 14:30");
  });

  it("uses one number of decimals per column", () => {
    const price = columnFormatter({ type: "number" }, [26936.25, 26937, 26311.5]);
    expect([26936.25, 26937, 26311.5].map(price)).toEqual(["26,936.25", "26,937.00", "26,311.50"]);
    const chg = columnFormatter({ type: "number" }, [-2.2912, -0.72951, 0.2786]);
    expect([-2.2912, -0.72951].map(chg)).toEqual(["-2.29", "-0.73"]);
    const small = columnFormatter({ type: "number" }, [0.12345, 0.5]);
    expect(small(0.5)).toBe("0.5000");
    expect(columnFormatter({ type: "integer", format: "weekday" }, [4])(4)).toBe("Friday");
    expect(price(null)).toBe("—");
  });

  it("puts % on the values of a column named as a percentage", () => {
    const chg = columnFormatter({ name: "chg_pct", type: "number" }, [-2.2912, 0.5]);
    expect([-2.2912, 0.5].map(chg)).toEqual(["-2.29%", "0.50%"]);
    expect(columnFormatter({ name: "pct_filled", type: "integer" }, [61])(61)).toBe("61%");
    expect(chg(null)).toBe("—");
    expect(columnFormatter({ name: "close", type: "number" }, [1.5])(1.5)).toBe("1.5");
  });

  it("formats axis prices with thousands separators and the tick's decimals", () => {
    expect(priceFormatter(0.25)(21456.5)).toBe("21,456.50");
    expect(priceFormatter(0.01)(1234567.891)).toBe("1,234,567.89");
    expect(priceFormatter(0.00005)(0.71234)).toBe("0.71234");
    expect(priceFormatter(1)(4321.4)).toBe("4,321");
  });

  it("makes round ticks", () => {
    expect(niceTicks(-2.45, 1.2)).toEqual([-2, -1, 0, 1]);
    expect(niceTicks(0, 100)).toEqual([0, 50, 100]);
    expect(niceTicks(25600, 27700)).toEqual([26000, 27000]);
  });
});

describe("instrument lists", () => {
  it("joins the symbols a query read and shortens a screen's long list", () => {
    expect(instrumentList(["NQ", "ES"])).toBe("NQ · ES");
    expect(instrumentList(["A", "B", "C", "D"], 2)).toBe("A · B · +2 more");
    expect(instrumentList([])).toBe("");
  });

  it("names what a result read only when that is more than the page's instrument", () => {
    expect(otherInstruments(["NQ", "ES"], "NQ")).toBe("NQ · ES");
    expect(otherInstruments(["ES"], "NQ")).toBe("ES");
    expect(otherInstruments(["NQ"], "NQ")).toBeNull();
    expect(otherInstruments(undefined, "NQ")).toBeNull();
  });
});
