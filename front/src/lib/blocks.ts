import type { Block, ResultColumn } from "@/lib/api-types";
import { formatCell } from "@/lib/format";
import type { TableData } from "@/lib/table";
import { hasTradeDates, withCalendarDates } from "@/lib/trade-dates";

export type { TableData } from "@/lib/table";

/**
 * Readers for data-card blocks. The `table` block carries the engine's result (`{columns, rows}`); chart blocks may
 * carry the same columnar shape with `x`/`y` keys or a list of records. These readers accept both so a card renders
 * whatever the producer chose, and return null when a block has nothing to show.
 */

type Json = Record<string, unknown>;
const RECORD_KEYS = ["rows", "data", "items", "trades", "points", "records"] as const;

function inferType(values: unknown[]): string {
  const present = values.filter((v) => v !== null && v !== undefined);
  if (present.length === 0) return "text";
  if (present.every((v) => typeof v === "number")) return present.every((v) => Number.isInteger(v)) ? "integer" : "number";
  if (present.every((v) => typeof v === "boolean")) return "boolean";
  if (present.every((v) => typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v))) return "date";
  return "text";
}

function toColumns(raw: unknown[], rows: unknown[][]): ResultColumn[] {
  return raw.map((c, i) => {
    if (c && typeof c === "object") {
      const col = c as Json;
      const name = String(col.name ?? col.key ?? `col${i}`);
      return { name, type: String(col.type ?? inferType(rows.map((r) => r[i]))), ...(col.format ? { format: String(col.format) } : {}) };
    }
    return { name: String(c), type: inferType(rows.map((r) => r[i])) };
  });
}

function fromRecords(records: Json[], order?: string[]): TableData {
  const names = order ?? [...new Set(records.flatMap((r) => Object.keys(r)))];
  const rows = records.map((r) => names.map((n) => r[n] ?? null));
  return { columns: toColumns(names, rows), rows, truncated: false, totalRows: null };
}

/** The block's data as columns and rows, or null. */
export function blockTable(block: Block | Json): TableData | null {
  const b = block as Json;
  if (b.result && typeof b.result === "object") return blockTable(b.result as Json);
  const truncated = b.truncated === true;
  const totalRows = typeof b.total_rows === "number" ? b.total_rows : null;
  if (Array.isArray(b.columns) && Array.isArray(b.rows)) {
    if (b.rows.every((r) => Array.isArray(r))) {
      const rows = b.rows as unknown[][];
      return { columns: toColumns(b.columns, rows), rows, truncated, totalRows };
    }
    const order = b.columns.map((c) => (c && typeof c === "object" ? String((c as Json).name ?? (c as Json).key) : String(c)));
    return { ...fromRecords(b.rows.filter((r): r is Json => !!r && typeof r === "object"), order), truncated, totalRows };
  }
  for (const key of RECORD_KEYS) {
    const value = b[key];
    if (Array.isArray(value) && value.length > 0 && value.every((r) => r && typeof r === "object" && !Array.isArray(r))) {
      return { ...fromRecords(value as Json[]), truncated, totalRows };
    }
    if (value && typeof value === "object" && !Array.isArray(value)) {
      const columnar = value as Record<string, unknown>;
      const names = Object.keys(columnar).filter((k) => Array.isArray(columnar[k]));
      if (names.length > 0) {
        const length = Math.max(...names.map((n) => (columnar[n] as unknown[]).length));
        const rows = Array.from({ length }, (_, i) => names.map((n) => (columnar[n] as unknown[])[i] ?? null));
        return { columns: toColumns(names, rows), rows, truncated, totalRows };
      }
    }
  }
  return null;
}

const isNumeric = (c: ResultColumn) => (c.type === "number" || c.type === "integer") && !c.format;

function list(v: unknown): string[] {
  if (typeof v === "string") return [v];
  if (Array.isArray(v)) return v.map((x) => (x && typeof x === "object" ? String((x as Json).key ?? (x as Json).name) : String(x)));
  return [];
}

export interface Series {
  table: TableData;
  x: number;
  ys: number[];
}

/** The x column and the numeric y columns of a chart block. */
export function chartSeries(block: Block): Series | null {
  const table = blockTable(block);
  if (!table || table.columns.length === 0) return null;
  const b = block as Json;
  const names = table.columns.map((c) => c.name);
  const xName = list(b.x ?? b.category_key ?? b.x_key)[0];
  const x = xName !== undefined && names.includes(xName) ? names.indexOf(xName) : 0;
  const wanted = list(b.y ?? b.value_key ?? b.series).filter((n) => names.includes(n));
  const ys = wanted.length
    ? wanted.map((n) => names.indexOf(n))
    : table.columns.map((c, i) => (i !== x && isNumeric(c) ? i : -1)).filter((i) => i >= 0);
  return ys.length ? { table, x, ys } : null;
}

export interface Metric {
  label: string;
  value: string;
  tone: "positive" | "negative" | "neutral";
}

function tone(color: unknown, value: unknown): Metric["tone"] {
  if (color === "green" || color === "positive") return "positive";
  if (color === "red" || color === "negative") return "negative";
  return typeof value === "number" && value < 0 ? "negative" : "neutral";
}

/** The label/value pairs of a metrics-grid block (`items` list or a `metrics` object). */
export function blockMetrics(block: Block): Metric[] {
  const b = block as Json;
  const source = b.items ?? b.metrics ?? b.values;
  if (Array.isArray(source)) {
    return source
      .filter((m): m is Json => !!m && typeof m === "object")
      .map((m) => ({
        label: String(m.label ?? m.name ?? ""),
        value: typeof m.type === "string" ? formatCell(m.value, { type: m.type, format: typeof m.format === "string" ? m.format : undefined }) : displayValue(m.value),
        tone: tone(m.color ?? m.tone, m.value),
      }));
  }
  if (source && typeof source === "object") {
    return Object.entries(source as Json).map(([label, value]) => ({ label, value: displayValue(value), tone: tone(null, value) }));
  }
  return [];
}

function displayValue(v: unknown): string {
  if (v === null || v === undefined) return "—";
  if (typeof v === "number") return Number.isInteger(v) ? v.toLocaleString("en-US") : v.toLocaleString("en-US", { maximumFractionDigits: 2 });
  return String(v);
}

export interface Candle {
  time: string | number;
  open: number;
  high: number;
  low: number;
  close: number;
}

export interface Marker {
  time: string | number;
  position: "aboveBar" | "belowBar";
  text: string;
  kind: "entry" | "exit" | "other";
}

/** `YYYY-MM-DD` + `HH:MM` as epoch seconds of that wall-clock time read as UTC (how the charts draw display time). */
function wallClock(date: unknown, time: unknown): number | null {
  if (typeof date !== "string" || typeof time !== "string") return null;
  const at = Date.parse(`${date}T${time}:00Z`);
  return Number.isNaN(at) ? null : at / 1000;
}

/**
 * Candles (date, epoch time, or an intraday result's date + time) and trade markers of a candles block, in time
 * order without duplicate times, as the chart requires whatever order the result was sorted in. Intraday dates are
 * the bars' calendar dates (`withCalendarDates` with the instrument's `openMinute`), so evening bars fall in place.
 */
export function blockCandles(block: Block, openMinute: number | null = null): { candles: Candle[]; markers: Marker[] } {
  const source = blockTable(block);
  const table = source && withCalendarDates(source, openMinute);
  const byTime = new Map<string | number, Candle>();
  if (table) {
    const idx = (n: string) => table.columns.findIndex((c) => c.name.toLowerCase() === n);
    const intraday = hasTradeDates(table);
    const t = [idx("time"), idx("date"), idx("timestamp")].find((i) => i >= 0) ?? -1;
    const at = (r: unknown[]): string | number | null => {
      if (intraday) return wallClock(r[idx("date")], r[idx("time")]);
      const v = r[t];
      return typeof v === "string" || typeof v === "number" ? v : null;
    };
    const [o, h, l, c] = ["open", "high", "low", "close"].map(idx) as [number, number, number, number];
    if (t >= 0 && o >= 0 && h >= 0 && l >= 0 && c >= 0) {
      for (const r of table.rows) {
        const vals = [r[o], r[h], r[l], r[c]];
        const time = at(r);
        if (vals.every((v) => typeof v === "number") && time !== null) {
          byTime.set(time, { time, open: vals[0] as number, high: vals[1] as number, low: vals[2] as number, close: vals[3] as number });
        }
      }
    }
  }
  const candles = [...byTime.values()].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  const markers: Marker[] = [];
  const raw = (block as Json).markers;
  if (Array.isArray(raw)) {
    for (const m of raw) {
      if (!m || typeof m !== "object") continue;
      const mm = m as Json;
      const time = mm.time ?? mm.date;
      if (typeof time !== "string" && typeof time !== "number") continue;
      const kindText = String(mm.kind ?? mm.type ?? "");
      const kind = kindText.includes("entry") ? "entry" : kindText.includes("exit") ? "exit" : "other";
      markers.push({
        time,
        position: mm.position === "aboveBar" || kind === "exit" ? "aboveBar" : "belowBar",
        text: String(mm.text ?? mm.label ?? ""),
        kind,
      });
    }
  }
  return { candles, markers };
}

/** The Barb Script query a block or card was made from, if it carries one. */
export function blockQuery(block: Block | undefined, fallbackInput?: unknown): unknown {
  const b = (block ?? {}) as Json;
  if (b.query !== undefined && b.query !== null) return b.query;
  if (b.result && typeof b.result === "object" && (b.result as Json).query) return (b.result as Json).query;
  if (fallbackInput && typeof fallbackInput === "object") {
    const input = fallbackInput as Json;
    return input.query ?? input.strategy ?? null;
  }
  return null;
}
