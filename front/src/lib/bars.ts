import type { Bars } from "@/lib/api-types";

export interface Bar {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** Turns the columnar bars payload into rows, dropping bars with a missing price; tolerates extra columns. */
export function barsToRows(payload: Pick<Bars, "data">): Bar[] {
  const d = payload.data ?? {};
  const time = d.time ?? [];
  const out: Bar[] = [];
  for (let i = 0; i < time.length; i++) {
    const t = time[i];
    const open = d.open?.[i];
    const high = d.high?.[i];
    const low = d.low?.[i];
    const close = d.close?.[i];
    if (t == null || open == null || high == null || low == null || close == null) continue;
    out.push({ time: t, open, high, low, close, volume: d.volume?.[i] ?? 0 });
  }
  return out;
}

/** Merges older bars in front of newer ones, sorted by time and without duplicate times. */
export function mergeBars(older: Bar[], newer: Bar[]): Bar[] {
  const byTime = new Map<number, Bar>();
  for (const bar of older) byTime.set(bar.time, bar);
  for (const bar of newer) byTime.set(bar.time, bar);
  return [...byTime.values()].sort((a, b) => a.time - b.time);
}

const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

/** Seconds to add to a UTC epoch to get the wall-clock time in `timeZone` at that instant (DST-aware). */
export function zoneOffsetSeconds(epochSeconds: number, timeZone: string): number {
  let format = zoneFormatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    zoneFormatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(epochSeconds * 1000)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return wall / 1000 - epochSeconds;
}
