import { describe, expect, it } from "vitest";
import { rankCommands } from "@/lib/command-rank";

const instrument = (symbol: string, name: string) => ({ label: `${symbol} · ${name}`, symbol, name });
const commands = [
  { label: "Query console for NQ" },
  instrument("CL", "Crude Oil Futures"),
  instrument("ESTX", "Euro Stoxx 50"),
  instrument("ES", "E-mini S&P 500"),
  instrument("6E", "Euro FX"),
  { label: "Best gap days (NQ)" },
  { label: "Theme: light" },
];

describe("rankCommands", () => {
  it("puts the exact symbol first, then symbol prefixes, then names, then other labels", () => {
    expect(rankCommands(commands, "es").map((c) => c.label)).toEqual([
      "ES · E-mini S&P 500",
      "ESTX · Euro Stoxx 50",
      "CL · Crude Oil Futures",
      "Best gap days (NQ)",
    ]);
  });

  it("ignores case and surrounding spaces, and keeps the order without a query", () => {
    expect(rankCommands(commands, "  EURO ").map((c) => c.label)).toEqual(["ESTX · Euro Stoxx 50", "6E · Euro FX"]);
    expect(rankCommands(commands, "")).toBe(commands);
    expect(rankCommands(commands, "zzz")).toEqual([]);
  });
});
