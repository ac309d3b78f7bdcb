import { describe, expect, it } from "vitest";
import { formatCost, formatDuration, formatTokens, formatUsage } from "@/lib/usage";

describe("usage, cost and durations", () => {
  it("formats cost with sub-cent precision", () => {
    expect(formatCost(0)).toBe("$0");
    expect(formatCost(0.0042)).toBe("$0.0042");
    expect(formatCost(0.125)).toBe("$0.125");
    expect(formatCost(2.5)).toBe("$2.50");
  });

  it("abbreviates token counts", () => {
    expect(formatTokens(950)).toBe("950");
    expect(formatTokens(1234)).toBe("1.2k");
    expect(formatTokens(45_000)).toBe("45k");
    expect(formatTokens(2_500_000)).toBe("2.5M");
  });

  it("summarises usage", () => {
    expect(formatUsage({ input_tokens: 1200, output_tokens: 300, cache_read_tokens: 5000, cost_usd: 0.0123 })).toBe(
      "$0.012 · 1.2k in / 300 out / 5.0k cached",
    );
  });

  it("formats durations", () => {
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(1234)).toBe("1.2 s");
    expect(formatDuration(65_000)).toBe("1 m 05 s");
  });
});
