// @vitest-environment node
// The SPA's imports point one way, with no cycle: routes → components → hooks/state → lib.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = join(dirname(fileURLToPath(import.meta.url)), "..", "src");
/** Higher layers may import lower ones (and their own), never the other way. */
const LAYERS: Record<string, number> = { "app.tsx": 5, "main.tsx": 5, routes: 4, components: 3, state: 2, hooks: 2, lib: 1, test: 6 };
const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+["']([^"']+)["']|^\s*import\s+["']([^"']+)["']/gm;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.(ts|tsx)$/.test(entry.name) && !/\.test\.(ts|tsx)$/.test(entry.name) ? [path] : [];
  });
}

function resolveImport(from: string, spec: string, known: Set<string>): string | null {
  const base = spec.startsWith("@/") ? join(SRC, spec.slice(2)) : spec.startsWith(".") ? resolve(dirname(from), spec) : null;
  if (base === null) return null; // a package
  return [base, `${base}.ts`, `${base}.tsx`, join(base, "index.ts"), join(base, "index.tsx")].find((p) => known.has(p)) ?? null;
}

/** The module graph of `files` (paths → the paths they import). */
export function importGraph(files: string[], read: (path: string) => string = (p) => readFileSync(p, "utf8")): Map<string, string[]> {
  const known = new Set(files);
  return new Map(
    files.map((file) => {
      const targets = [...read(file).matchAll(IMPORT)].map((m) => resolveImport(file, m[1] ?? m[2] ?? "", known)).filter((t): t is string => t !== null);
      return [file, [...new Set(targets)]];
    }),
  );
}

/** Every cycle, as the modules along it with the first repeated at the end. */
export function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const visit = (node: string, path: string[]) => {
    state.set(node, "open");
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") found.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next, [...path, next]);
    }
    state.set(node, "done");
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node, [node]);
  return found;
}

const layerOf = (path: string) => LAYERS[relative(SRC, path).split("/")[0] ?? ""] ?? 0;
const name = (path: string) => relative(SRC, path);

describe("the SPA's module graph", () => {
  const graph = importGraph(sources(SRC));

  it("has no import cycle", () => {
    expect(cycles(graph).map((c) => c.map(name).join(" → "))).toEqual([]);
  });

  it("never imports a higher layer (state and hooks know no components, lib knows nothing above it)", () => {
    const upward = [...graph].flatMap(([from, targets]) => targets.filter((to) => layerOf(to) > layerOf(from)).map((to) => `${name(from)} → ${name(to)}`));
    expect(upward).toEqual([]);
  });

  it("finds a planted cycle and resolves aliases, relative paths and index files", () => {
    const files = ["/s/a.ts", "/s/b.tsx", "/s/c/index.ts"];
    const text: Record<string, string> = { "/s/a.ts": 'import { b } from "./b";', "/s/b.tsx": 'import c from "./c";\nimport React from "react";', "/s/c/index.ts": 'export { a } from "../a";' };
    const planted = importGraph(files, (p) => text[p] ?? "");
    expect(planted.get("/s/b.tsx")).toEqual(["/s/c/index.ts"]);
    expect(cycles(planted)).toEqual([["/s/a.ts", "/s/b.tsx", "/s/c/index.ts", "/s/a.ts"]]);
  });
});
