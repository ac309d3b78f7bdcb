import type { ResultColumn } from "@/lib/api-types";

/** A table as the cards draw it, whatever shape its block came in (`blockTable`). */
export interface TableData {
  columns: ResultColumn[];
  rows: unknown[][];
  truncated: boolean;
  totalRows: number | null;
}
