import type { ResultColumn } from "@/lib/api-types";

function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "string" ? value : String(value);
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV with a header row; raw values (full precision), CRLF line ends. */
export function toCsv(columns: Pick<ResultColumn, "name">[], rows: unknown[][]): string {
  const lines = [columns.map((c) => csvField(c.name)).join(",")];
  for (const row of rows) lines.push(columns.map((_, i) => csvField(row[i])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

/** Tab-separated text for pasting into a spreadsheet. */
export function toTsv(columns: Pick<ResultColumn, "name">[], rows: unknown[][]): string {
  const clean = (v: unknown) => (v === null || v === undefined ? "" : String(v).replace(/[\t\r\n]+/g, " "));
  return [columns.map((c) => clean(c.name)).join("\t"), ...rows.map((r) => columns.map((_, i) => clean(r[i])).join("\t"))].join("\n");
}

/** A safe file name from a card title: "Gap fills 2024" → "gap-fills-2024.csv". */
export function csvFileName(title: string): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60);
  return `${slug || "barb-result"}.csv`;
}

/** Saves text as a file through a temporary object URL and a real `<a download>` click. */
export function downloadText(fileName: string, text: string, type = "text/csv;charset=utf-8"): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
