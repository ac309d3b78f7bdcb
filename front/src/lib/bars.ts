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
