// Prints the gzipped size of every built asset and of the app shell (what index.html loads before any route
// chunk), and fails the build when the shell is over budget.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";

const DIST = new URL("../dist/", import.meta.url).pathname;
const BUDGET_KB = Number(process.env.SHELL_BUDGET_KB ?? 250);

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

const kb = (bytes) => (bytes / 1024).toFixed(1).padStart(8);
const html = readFileSync(join(DIST, "index.html"), "utf8");
const shellRefs = new Set([...html.matchAll(/(?:src|href)="\/?(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]));

const rows = files(DIST)
  .filter((f) => /\.(js|css|html)$/.test(f))
  .map((f) => {
    const body = readFileSync(f);
    const name = relative(DIST, f);
    return { name, raw: body.length, gzip: gzipSync(body, { level: 9 }).length, shell: shellRefs.has(name) || name === "index.html" };
  })
  .sort((a, b) => b.gzip - a.gzip);

console.log(`\n${"file".padEnd(56)} ${"raw KB".padStart(8)} ${"gzip KB".padStart(8)}  shell`);
for (const r of rows) console.log(`${r.name.padEnd(56)} ${kb(r.raw)} ${kb(r.gzip)}  ${r.shell ? "yes" : ""}`);
const shell = rows.filter((r) => r.shell).reduce((s, r) => s + r.gzip, 0);
const total = rows.reduce((s, r) => s + r.gzip, 0);
console.log(`\nshell (first load): ${(shell / 1024).toFixed(1)} KB gzip (budget ${BUDGET_KB} KB); all assets: ${(total / 1024).toFixed(1)} KB gzip`);
if (shell / 1024 > BUDGET_KB) {
  console.error(`Shell is over budget by ${(shell / 1024 - BUDGET_KB).toFixed(1)} KB.`);
  process.exit(1);
}
