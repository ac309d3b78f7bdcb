// `npm run test:e2e`: builds the SPA when its sources changed (the backend serves front/dist), then runs the
// browser scenarios in order.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { missingPieces } from "./stack.mjs";

const front = fileURLToPath(new URL("..", import.meta.url));

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

const built = join(front, "dist", "index.html");
const sources = ["src", "index.html", "package.json", "vite.config.ts"].map((p) => join(front, p));
if (!existsSync(built) || Math.max(...sources.map(newestMtime)) > statSync(built).mtimeMs) {
  const build = spawnSync("npm", ["run", "build"], { cwd: front, stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const missing = missingPieces();
if (missing.length) {
  console.error(`Browser tests are waiting for: ${missing.join("; ")}`);
  process.exit(1);
}
const run = spawnSync(process.execPath, ["--test", "--test-concurrency=1", "--test-reporter=spec", "e2e/app.e2e.test.mjs", "e2e/csp.e2e.test.mjs", "e2e/keyboard.e2e.test.mjs", "e2e/many-series.e2e.test.mjs"], { cwd: front, stdio: "inherit" });
process.exit(run.status ?? 1);
