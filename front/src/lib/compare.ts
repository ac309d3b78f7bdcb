import type { QueryResult } from "@/lib/api-types";

/**
 * The instrument page's comparison: one Barb Script query that returns both instruments' daily closes normalised to
 * 100 on the range's first day and the correlation of their daily returns over the range. Every number comes from
 * the engine; this module only writes the query and reads its result.
 */

export type CompareRange = "6M" | "1Y" | "5Y";

/** The ranges offered, as Barb Script periods (the last N trading days, or the last calendar year). */
export const COMPARE_RANGES: Array<{ range: CompareRange; period: string; label: string }> = [
  { range: "6M", period: "last_126", label: "6 months" },
  { range: "1Y", period: "last_year", label: "1 year" },
  { range: "5Y", period: "last_1260", label: "5 years" },
];

export interface ComparePoint {
  date: string;
  /** This instrument's close over its close on the range's first day, × 100. */
  base: number | null;
  /** The other instrument's, likewise; null on days it has no bar. */
  other: number | null;
}

export interface Comparison {
  points: ComparePoint[];
  /** Pearson correlation of the two instruments' daily returns over the range; null when it cannot be computed. */
  correlation: number | null;
  /** The first and last trade dates of the range, as the engine reports them. */
  period: [string, string] | null;
}

/** The query for comparing the page's instrument with `other` over `period`; posted with the page's instrument. */
export function compareQuery(other: string, period: string): Record<string, unknown> {
  // The symbol comes from the catalogue; quoting it as a Barb Script string literal keeps the expression valid.
  const on = (x: string) => `on('${other.replace(/[^A-Za-z0-9._-]/g, "")}', ${x})`;
  return {
    from: "daily",
    period,
    map: {
      base: "close / first(close) * 100",
      other: `${on("close")} / first(${on("close")}) * 100`,
      // on() computes the return on the other instrument's own bars, so a day it missed does not span two days.
      corr: `correlation(change_pct(close), ${on("change_pct(close)")})`,
    },
    columns: ["date", "base", "other", "corr"],
  };
}

const asNumber = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** Reads a comparison from the result of {@link compareQuery}; null when the result is not of that shape. */
export function readComparison(result: QueryResult): Comparison | null {
  const names = (result.columns ?? []).map((c) => c.name);
  const col = { date: names.indexOf("date"), base: names.indexOf("base"), other: names.indexOf("other"), corr: names.indexOf("corr") };
  if (Object.values(col).some((i) => i < 0) || !Array.isArray(result.rows)) return null;
  const points = result.rows.map((row) => ({ date: String(row[col.date]), base: asNumber(row[col.base]), other: asNumber(row[col.other]) }));
  // The correlation is an aggregate broadcast over the range: every row carries the same value.
  const correlation = result.rows.length ? asNumber(result.rows[0]![col.corr]) : null;
  return { points, correlation, period: result.source?.period ?? null };
}
