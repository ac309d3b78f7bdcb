import { type ColumnDef, flexRender, getCoreRowModel, getSortedRowModel, type SortingState, useReactTable } from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import { type ReactNode, useMemo, useRef, useState } from "react";
import { Link } from "react-router";
import { Button } from "@/components/ui/button";
import { Icon } from "@/components/ui/icon";
import { useScrollEdges } from "@/hooks/use-scroll-edges";
import type { TableData } from "@/lib/blocks";
import { copyText } from "@/lib/clipboard";
import { csvFileName, downloadText, toCsv, toTsv } from "@/lib/csv";
import { columnFormatter, columnLabel, formatNumber, isNumericColumn } from "@/lib/format";

const ROW_HEIGHT = 29;

type Row = unknown[];

/** A screen's `instrument` column links each symbol to its instrument page. */
const isInstrumentColumn = (col: { name: string; type: string }) => col.name === "instrument" && col.type === "text";

function instrumentCell(value: unknown, format: (v: unknown) => string): ReactNode {
  return typeof value === "string" && value ? <Link to={`/i/${encodeURIComponent(value)}`}>{value}</Link> : format(value);
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b));
}

/** A sortable, formatted table with a sticky header; rows are virtualized so 10 000 rows stay smooth. */
export function TableBlock({ table: data, title, tall }: { table: TableData; title: string; tall?: boolean }) {
  const [sorting, setSorting] = useState<SortingState>([]);
  const [copied, setCopied] = useState(false);
  const scrollRef = useRef<HTMLDivElement>(null);
  const columns = useMemo<ColumnDef<Row>[]>(
    () =>
      data.columns.map((col, i) => {
        const format = columnFormatter(col, data.rows.map((r) => r[i]));
        const links = isInstrumentColumn(col);
        return {
        id: `${i}`,
        header: columnLabel(col.name),
        accessorFn: (row: Row) => row[i],
        sortingFn: (a, b) => compare(a.original[i], b.original[i]),
        sortUndefined: "last",
        sortDescFirst: false,
        cell: (info) => (links ? instrumentCell(info.getValue(), format) : format(info.getValue())),
        };
      }),
    [data.columns, data.rows],
  );
  const table = useReactTable({
    data: data.rows,
    columns,
    state: { sorting },
    onSortingChange: setSorting,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
  });
  const rows = table.getRowModel().rows;
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    initialRect: { width: 800, height: 380 },
  });
  const items = virtualizer.getVirtualItems();
  const padTop = items[0]?.start ?? 0;
  const padBottom = items.length ? virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0) : 0;
  const numeric = data.columns.map(isNumericColumn);
  // Columns cut off at a side get a shaded edge there: on a phone a wide table otherwise gives no hint it scrolls.
  const edges = useScrollEdges(scrollRef, columns);

  const copy = async () => {
    if (!(await copyText(toTsv(data.columns, data.rows)))) return;
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };

  if (data.rows.length === 0) return <p className="empty">The query returned no rows.</p>;
  return (
    <div>
      <div className="chart-toolbar">
        <span className="card-foot">
          {formatNumber(data.rows.length)} {data.rows.length === 1 ? "row" : "rows"}
          {data.truncated ? ` shown of ${data.totalRows !== null ? formatNumber(data.totalRows) : "more"} (truncated)` : ""}
        </span>
        <span style={{ flex: 1 }} />
        <Button size="sm" onClick={() => downloadText(csvFileName(title), toCsv(data.columns, data.rows))}>
          <Icon name="download" /> CSV
        </Button>
        <Button size="sm" onClick={() => void copy()}>
          <Icon name={copied ? "check" : "copy"} /> {copied ? "Copied" : "Copy"}
        </Button>
      </div>
      <div className="table-scroll" data-more-left={edges.left || undefined} data-more-right={edges.right || undefined}>
        <div className="table-wrap" ref={scrollRef} style={tall ? { maxHeight: "calc(100dvh - 220px)" } : undefined} tabIndex={0} role="region" aria-label={`${title} table`}>
          <table className="data">
            <thead>
              {table.getHeaderGroups().map((group) => (
                <tr key={group.id}>
                  {group.headers.map((header, i) => {
                    const dir = header.column.getIsSorted();
                    return (
                      <th key={header.id} className={numeric[i] ? "r" : undefined} aria-sort={dir === "asc" ? "ascending" : dir === "desc" ? "descending" : "none"}>
                        <button type="button" onClick={header.column.getToggleSortingHandler()}>
                          {flexRender(header.column.columnDef.header, header.getContext())}
                          <span aria-hidden="true">{dir === "asc" ? "▲" : dir === "desc" ? "▼" : ""}</span>
                        </button>
                      </th>
                    );
                  })}
                </tr>
              ))}
            </thead>
            <tbody>
              {padTop > 0 ? <tr aria-hidden="true" style={{ height: padTop }} /> : null}
              {items.map((item) => {
                const row = rows[item.index]!;
                return (
                  <tr key={row.id}>
                    {row.getVisibleCells().map((cell, i) => {
                      const v = cell.getValue();
                      const tone = numeric[i] && typeof v === "number" && v < 0 ? " down" : "";
                      return (
                        <td key={cell.id} className={numeric[i] ? `r${tone}` : undefined}>
                          {flexRender(cell.column.columnDef.cell, cell.getContext())}
                        </td>
                      );
                    })}
                  </tr>
                );
              })}
              {padBottom > 0 ? <tr aria-hidden="true" style={{ height: padBottom }} /> : null}
            </tbody>
          </table>
        </div>
      </div>
    </div>
  );
}
