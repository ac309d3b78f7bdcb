import type { DeepPartial, ChartOptions } from "lightweight-charts";

/** Canvas charts cannot read CSS variables, so the two themes' colours are spelled out here. */
export const CANDLE_COLORS = { up: "#26a69a", down: "#ef5350" };

export function chartOptions(theme: "light" | "dark"): DeepPartial<ChartOptions> {
  const dark = theme === "dark";
  return {
    autoSize: true,
    layout: {
      background: { color: "transparent" },
      textColor: dark ? "#a5adba" : "#4d5562",
      // The TradingView logo link is the attribution the lightweight-charts licence asks for.
      attributionLogo: true,
    },
    grid: { vertLines: { color: dark ? "#1e222b" : "#eceef2" }, horzLines: { color: dark ? "#1e222b" : "#eceef2" } },
    rightPriceScale: { borderColor: dark ? "#323845" : "#d5d9e0" },
    timeScale: { borderColor: dark ? "#323845" : "#d5d9e0" },
  };
}
