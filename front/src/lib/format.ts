import type { ResultColumn } from "@/lib/api-types";

const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MONTHS = [
  "January", "February", "March", "April", "May", "June",
  "July", "August", "September", "October", "November", "December",
];

// The engine names its display hints for dayofweek()/month() keys; accept the spellings it may use.
const WEEKDAY_FORMATS = new Set(["weekday", "dayofweek", "day_of_week", "day_name", "weekday_name"]);
const MONTH_FORMATS = new Set(["month", "month_name"]);

const LABELS: Record<string, string> = {
  dow: "Day of week",
  pct: "%",
  chg: "Change",
  ohlc: "OHLC",
};

/** True for a column named as a percentage by the naming rule (`chg_pct`, `return_pct`, `pct_filled`). */
function isPercentName(name: string | undefined): boolean {
  return !!name && name.toLowerCase().split("_").includes("pct");
}

/** A readable header for a result column: known abbreviations, else snake_case → Sentence case, `pct` → `%`. */
export function columnLabel(name: string): string {
  const known = LABELS[name.toLowerCase()];
  if (known) return known;
  const spaced = name
    .split("_")
    .map((word) => (word.toLowerCase() === "pct" ? "%" : word))
    .join(" ")
    .trim();
  return spaced ? spaced[0]!.toUpperCase() + spaced.slice(1) : name;
}

export function isNumericColumn(column: Pick<ResultColumn, "type" | "format">): boolean {
  return (column.type === "number" || column.type === "integer") && !column.format;
}

/** Formats a number with grouping; integers without decimals, others with up to `maxDecimals` (trailing zeros kept to 2). */
export function formatNumber(value: number, maxDecimals = 4): string {
  if (!Number.isFinite(value)) return "—";
  if (Number.isInteger(value)) return value.toLocaleString("en-US");
  const abs = Math.abs(value);
  const decimals = abs >= 1000 ? 2 : abs >= 1 ? Math.min(maxDecimals, 2) : maxDecimals;
  return value.toLocaleString("en-US", { minimumFractionDigits: Math.min(2, decimals), maximumFractionDigits: decimals });
}

/** Formats one cell for display according to its column (type and the engine's `format` hint). */
export function formatCell(value: unknown, column: Pick<ResultColumn, "type" | "format">): string {
  if (value === null || value === undefined) return "—";
  const format = column.format ?? "";
  if (typeof value === "number") {
    if (WEEKDAY_FORMATS.has(format)) return WEEKDAYS[value] ?? String(value);
    if (MONTH_FORMATS.has(format)) return MONTHS[value - 1] ?? String(value);
    if (format === "percent" || format === "pct") return `${formatNumber(value, 2)}%`;
    if (column.type === "integer") return Math.round(value).toLocaleString("en-US");
    return formatNumber(value);
  }
  if (typeof value === "boolean") return value ? "Yes" : "No";
  return String(value);
}

/** A bar time (epoch seconds, UTC) as a date, or date and time for intraday bars. */
export function formatBarTime(seconds: number, intraday: boolean): string {
  const iso = new Date(seconds * 1000).toISOString();
  return intraday ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10);
}

function fractionDigits(value: number, cap: number): number {
  const text = value.toFixed(cap).replace(/0+$/, "");
  const dot = text.indexOf(".");
  return dot === -1 ? 0 : text.length - dot - 1;
}

/**
 * A formatter for one table column: numbers get the same number of decimals down the column (as many as the
 * values need, at most 2 when values reach 1 and 4 below that), so digits line up, and a `%` when the column is
 * named as a percentage (`chg_pct`); other types use `formatCell`.
 */
export function columnFormatter(column: Pick<ResultColumn, "type" | "format"> & { name?: string }, values: unknown[]): (value: unknown) => string {
  if (!isNumericColumn(column)) return (v) => formatCell(v, column);
  const numbers = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  const maxAbs = numbers.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const cap = column.type === "integer" ? 0 : maxAbs >= 1 ? 2 : 4;
  const decimals = numbers.reduce((d, v) => Math.max(d, fractionDigits(v, cap)), 0);
  const options = { minimumFractionDigits: decimals, maximumFractionDigits: decimals };
  const unit = isPercentName(column.name) ? "%" : "";
  return (v) => (typeof v === "number" && Number.isFinite(v) ? `${v.toLocaleString("en-US", options)}${unit}` : formatCell(v, column));
}

/** A formatter for a chart's price axis: grouped thousands and the decimals the price step needs (0.25 → 21,456.25). */
export function priceFormatter(minMove: number): (price: number) => string {
  const decimals = fractionDigits(minMove, 8);
  const format = new Intl.NumberFormat("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  return (price) => format.format(price);
}

/** The instruments a query read, as "NQ · ES"; a long list (a screen's) ends "+N more" after the first `max`. */
export function instrumentList(symbols: readonly string[], max = 8): string {
  const shown = symbols.slice(0, max).join(" · ");
  return symbols.length > max ? `${shown} · +${symbols.length - max} more` : shown;
}

/** The instruments a result read, for its source line; null when it read only `symbol`, the page's own. */
export function otherInstruments(read: readonly string[] | undefined, symbol: string): string | null {
  if (!read?.length || (read.length === 1 && read[0] === symbol)) return null;
  return instrumentList(read);
}
