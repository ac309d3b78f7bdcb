import type { Instrument } from "@/lib/api-types";
import type { TableData } from "@/lib/table";

function minuteOfDay(hhmm: unknown): number | null {
  const match = typeof hhmm === "string" ? /^(\d{1,2}):(\d{2})/.exec(hhmm) : null;
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/**
 * The minute of day (display time) at which the instrument's trading day opens on the evening before, or null when
 * its trading day does not wrap midnight. Like the server, the trading day is the ETH session if there is one, else
 * the default session (CME: ETH 18:00–17:00, so the trading day opens at 18:00 the day before).
 */
export function eveningOpen(instrument: Pick<Instrument, "sessions" | "default_session">): number | null {
  const sessions = instrument.sessions ?? {};
  const name = sessions.ETH ? "ETH" : (instrument.default_session ?? "");
  const [start, end] = (sessions[name] ?? []).map(minuteOfDay);
  return start != null && end != null && start > end ? start : null;
}

/** True when a result carries the engine's intraday pair: `date` (the trade date) and `time` (the bar's clock time). */
export function hasTradeDates(table: TableData): boolean {
  const names = table.columns.map((c) => `${c.name}:${c.type}`);
  return names.includes("date:date") && names.includes("time:time");
}

function dayBefore(iso: string): string {
  const day = new Date(`${iso}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() - 1);
  return day.toISOString().slice(0, 10);
}

/**
 * Intraday results pair the trade date with the clock time, which misdates evening bars: the 18:00 bar of Sunday
 * 11-29 belongs to Monday 11-30's trade date, and "2026-11-30 18:00" reads as Monday evening. This returns the table
 * with `date` as the bar's calendar date (the day before the trade date from `eveningOpen` on) and a `trade_date`
 * column after `time`, filled where the two differ. Other tables come back unchanged. (An evening session before a
 * holiday rolls to a later trade date; its bars still show the day before the trade date.)
 */
export function withCalendarDates(table: TableData, openMinute: number | null): TableData {
  if (openMinute === null || !hasTradeDates(table)) return table;
  const d = table.columns.findIndex((c) => c.name === "date" && c.type === "date");
  const t = table.columns.findIndex((c) => c.name === "time" && c.type === "time");
  const evening = (row: unknown[]) => typeof row[d] === "string" && (minuteOfDay(row[t]) ?? -1) >= openMinute;
  if (!table.rows.some(evening)) return table;
  const columns = [...table.columns];
  columns.splice(t + 1, 0, { name: "trade_date", type: "date" });
  const rows = table.rows.map((row) => {
    const out = [...row];
    const moved = evening(row);
    if (moved) out[d] = dayBefore(row[d] as string);
    out.splice(t + 1, 0, moved ? row[d] : "");
    return out;
  });
  return { ...table, columns, rows };
}
