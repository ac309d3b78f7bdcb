import type { Instrument } from "@/lib/api-types";
import { formatNumber } from "@/lib/format";

function sessionText(sessions: Instrument["sessions"]): string | null {
  if (!sessions || typeof sessions !== "object") return null;
  return Object.entries(sessions)
    .map(([name, range]) => `${name} ${Array.isArray(range) ? range.join("–") : String(range)}`)
    .join(", ");
}

function dataRange(instrument: Instrument): string | null {
  const r = (instrument.data_range ?? instrument.data) as Record<string, unknown> | null | undefined;
  if (!r || typeof r !== "object") return null;
  const first = r.first ?? r.start ?? r.from;
  const last = r.last ?? r.end ?? r.to;
  if (first && last) return `${String(first).slice(0, 10)} → ${String(last).slice(0, 10)}`;
  return r.available === false ? "no bars yet" : null;
}

/** Contract facts: exchange, sessions, tick and point value, data range. Missing facts are simply not shown. */
export function InstrumentFacts({ instrument }: { instrument: Instrument }) {
  const facts: Array<[string, string | null]> = [
    ["Exchange", instrument.exchange_name ? `${instrument.exchange} (${instrument.exchange_name})` : (instrument.exchange ?? null)],
    ["Sessions", sessionText(instrument.sessions)],
    ["Time zone", instrument.timezone ?? null],
    ["Tick", instrument.tick_size !== undefined ? `${instrument.tick_size}${instrument.tick_value !== undefined ? ` = ${formatNumber(instrument.tick_value)} ${instrument.currency ?? ""}` : ""}` : null],
    ["Point value", instrument.point_value !== undefined ? `${formatNumber(instrument.point_value)} ${instrument.currency ?? ""}` : null],
    ["Data", dataRange(instrument)],
  ];
  return (
    <dl className="facts">
      {facts
        .filter((f): f is [string, string] => !!f[1])
        .map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
    </dl>
  );
}
