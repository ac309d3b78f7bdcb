import type { Series } from "@/lib/blocks";
import { columnLabel, formatCell, formatNumber } from "@/lib/format";
import { niceTicks } from "@/lib/ticks";

const W = 640;
const H = 220;
const PAD = { top: 12, right: 12, bottom: 28, left: 56 };

function extent(values: number[]): [number, number] {
  let lo = Math.min(0, ...values);
  let hi = Math.max(0, ...values);
  if (lo === hi) hi = lo + 1;
  const pad = (hi - lo) * 0.05;
  if (lo < 0) lo -= pad;
  if (hi > 0) hi += pad;
  return [lo, hi];
}

function YAxis({ domain, y }: { domain: [number, number]; y: (v: number) => number }) {
  return (
    <g>
      {niceTicks(domain[0], domain[1]).map((t) => (
        <g key={t}>
          <line className="grid" x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} />
          <text x={PAD.left - 6} y={y(t) + 4} textAnchor="end">
            {formatNumber(t)}
          </text>
        </g>
      ))}
    </g>
  );
}

const numbers = (values: unknown[]) => values.map((v) => (typeof v === "number" ? v : 0));

/** Bars per category, green up and red down; a sign is printed too, so colour is not the only cue. */
export function BarChart({ series, title }: { series: Series; title: string }) {
  const { table, x, ys } = series;
  const yi = ys[0]!;
  const values = numbers(table.rows.map((r) => r[yi]));
  const domain = extent(values);
  const y = (v: number) => PAD.top + ((domain[1] - v) / (domain[1] - domain[0])) * (H - PAD.top - PAD.bottom);
  const band = (W - PAD.left - PAD.right) / Math.max(1, values.length);
  const xCol = table.columns[x]!;
  const labelEvery = Math.ceil(values.length / 12);
  return (
    <figure style={{ margin: 0 }}>
      <svg className="chart-svg" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}: bar chart of ${columnLabel(table.columns[yi]!.name)} by ${columnLabel(xCol.name)}`}>
        <YAxis domain={domain} y={y} />
        {values.map((v, i) => {
          const label = formatCell(table.rows[i]![x], xCol);
          return (
            <g key={i}>
              <rect className={v >= 0 ? "bar-up" : "bar-down"} x={PAD.left + i * band + band * 0.15} width={band * 0.7} y={Math.min(y(v), y(0))} height={Math.abs(y(v) - y(0))}>
                <title>{`${label}: ${v >= 0 ? "+" : ""}${formatNumber(v)}`}</title>
              </rect>
              {i % labelEvery === 0 ? (
                <text x={PAD.left + i * band + band / 2} y={H - 10} textAnchor="middle">
                  {label.length > 10 ? `${label.slice(0, 9)}…` : label}
                </text>
              ) : null}
            </g>
          );
        })}
        <line className="axis" x1={PAD.left} x2={W - PAD.right} y1={y(0)} y2={y(0)} />
      </svg>
    </figure>
  );
}

/** One or more lines over the rows' order (dates on x); optional drawdown area below. */
export function LineChart({ series, title, drawdown }: { series: Series; title: string; drawdown?: number }) {
  const { x, ys } = series;
  // A line over time is drawn in time order even when the result is sorted by something else.
  const timeAxis = ["date", "time"].includes(String(series.table.columns[x]?.type));
  const table = timeAxis
    ? { ...series.table, rows: [...series.table.rows].sort((a, b) => String(a[x]).localeCompare(String(b[x]))) }
    : series.table;
  const lines = ys.map((yi) => numbers(table.rows.map((r) => r[yi])));
  const domain = extent(lines.flat());
  const n = table.rows.length;
  const px = (i: number) => PAD.left + (n <= 1 ? 0 : (i / (n - 1)) * (W - PAD.left - PAD.right));
  const y = (v: number) => PAD.top + ((domain[1] - v) / (domain[1] - domain[0])) * (H - PAD.top - PAD.bottom);
  const xCol = table.columns[x]!;
  const labels = [0, Math.floor((n - 1) / 2), n - 1].filter((v, i, a) => v >= 0 && a.indexOf(v) === i);
  const dd = drawdown !== undefined ? numbers(table.rows.map((r) => r[drawdown])) : null;
  const ddDomain = dd ? extent(dd) : null;
  const ddY = (v: number) => (ddDomain ? H + 8 + ((ddDomain[1] - v) / (ddDomain[1] - ddDomain[0])) * 72 : 0);
  return (
    <figure style={{ margin: 0 }}>
      <svg className="chart-svg" viewBox={`0 0 ${W} ${dd ? H + 88 : H}`} role="img" aria-label={`${title}: line chart of ${ys.map((i) => columnLabel(table.columns[i]!.name)).join(", ")}`}>
        <YAxis domain={domain} y={y} />
        {lines.map((values, li) => (
          <path key={li} className={`line${li ? ` line-${Math.min(li + 1, 3)}` : ""}`} d={values.map((v, i) => `${i ? "L" : "M"}${px(i).toFixed(1)},${y(v).toFixed(1)}`).join("")} />
        ))}
        {labels.map((i) => (
          <text key={i} x={px(i)} y={H - 8} textAnchor={i === 0 ? "start" : i === n - 1 ? "end" : "middle"}>
            {formatCell(table.rows[i]![x], xCol)}
          </text>
        ))}
        {dd && ddDomain ? (
          <>
            <text x={PAD.left} y={H + 6}>
              Drawdown
            </text>
            <path className="dd" d={`M${px(0)},${ddY(0)}${dd.map((v, i) => `L${px(i).toFixed(1)},${ddY(v).toFixed(1)}`).join("")}L${px(n - 1)},${ddY(0)}Z`} />
          </>
        ) : null}
      </svg>
      {ys.length > 1 ? (
        <figcaption className="legend">
          {ys.map((yi, li) => (
            <span key={yi}>
              <i className={`line-${li + 1}`} />
              {columnLabel(table.columns[yi]!.name)}
            </span>
          ))}
        </figcaption>
      ) : null}
    </figure>
  );
}

/** One dot per row, x against the first y column (two instruments' returns); rows missing either are left out. */
export function ScatterChart({ series, title }: { series: Series; title: string }) {
  const { table, x, ys } = series;
  const yi = ys[0]!;
  const points = table.rows.map((r) => [r[x], r[yi]]).filter((p): p is [number, number] => p.every((v) => typeof v === "number"));
  const xDomain = extent(points.map((p) => p[0]));
  const yDomain = extent(points.map((p) => p[1]));
  const px = (v: number) => PAD.left + ((v - xDomain[0]) / (xDomain[1] - xDomain[0])) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + ((yDomain[1] - v) / (yDomain[1] - yDomain[0])) * (H - PAD.top - PAD.bottom);
  const [xName, yName] = [columnLabel(table.columns[x]!.name), columnLabel(table.columns[yi]!.name)];
  return (
    <figure style={{ margin: 0 }}>
      <svg className="chart-svg" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}: scatter of ${yName} against ${xName}, ${points.length} points`}>
        <YAxis domain={yDomain} y={y} />
        {niceTicks(xDomain[0], xDomain[1]).map((t) => (
          <text key={t} x={px(t)} y={H - 10} textAnchor="middle">
            {formatNumber(t)}
          </text>
        ))}
        <line className="axis" x1={px(0)} x2={px(0)} y1={PAD.top} y2={H - PAD.bottom} />
        <line className="axis" x1={PAD.left} x2={W - PAD.right} y1={y(0)} y2={y(0)} />
        {points.map(([a, b], i) => (
          <circle key={i} className="dot" cx={px(a).toFixed(1)} cy={y(b).toFixed(1)} r={2.5}>
            <title>{`${xName} ${formatNumber(a)}, ${yName} ${formatNumber(b)}`}</title>
          </circle>
        ))}
      </svg>
      <figcaption className="legend">{`x: ${xName} · y: ${yName}`}</figcaption>
    </figure>
  );
}
