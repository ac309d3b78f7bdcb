import type { ChartOptions, DeepPartial, PriceFormatCustom } from "lightweight-charts";
import { priceFormatter } from "@/lib/format";

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

/** The candles' price format: thousands separators on the axis and crosshair, decimals from the tick size. */
export function candlePriceFormat(tickSize?: number): PriceFormatCustom {
  const minMove = tickSize && tickSize > 0 ? tickSize : 0.01;
  return { type: "custom", minMove, formatter: priceFormatter(minMove) };
}

/** The colours of overlaid lines, in order: the page's accent first, then the cards' second line colour. */
export function lineColors(theme: "light" | "dark"): string[] {
  return theme === "dark" ? ["#6b9bff", "#d97706"] : ["#1d4ed8", "#d97706"];
}
