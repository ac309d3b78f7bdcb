import { describe, expect, it } from "vitest";
import { csvFileName, toCsv, toTsv } from "@/lib/csv";

describe("csv", () => {
  it("writes a header and quotes fields that need it", () => {
    const csv = toCsv([{ name: "date" }, { name: "note" }, { name: "close" }], [
      ["2024-01-02", 'said "hi", left', 16543.25],
      ["2024-01-03", null, 0.1 + 0.2],
    ]);
    expect(csv).toBe('date,note,close\r\n2024-01-02,"said ""hi"", left",16543.25\r\n2024-01-03,,0.30000000000000004\r\n');
  });

  it("quotes newlines and surrounding spaces", () => {
    expect(toCsv([{ name: "a" }], [["x\ny"], [" pad"]])).toBe('a\r\n"x\ny"\r\n" pad"\r\n');
  });

  it("makes TSV for pasting", () => {
    expect(toTsv([{ name: "a" }, { name: "b" }], [["1\t2", null]])).toBe("a\tb\n1 2\t");
  });

  it("derives a file name from the title", () => {
    expect(csvFileName("Gap fills in 2024 (RTH)")).toBe("gap-fills-in-2024-rth.csv");
    expect(csvFileName("???")).toBe("barb-result.csv");
  });
});
