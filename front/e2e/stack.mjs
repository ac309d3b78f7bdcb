// Starts what the browser tests run against: the scripted model, the real backend (`barb serve`, local auth,
// SQLite and sample bars in temp dirs) serving the built SPA, and Debian's Chromium through playwright-core.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before } from "node:test";
import { chromium } from "playwright-core";

export const REPO = resolve(new URL("../..", import.meta.url).pathname);
export const SCREENSHOTS = join(REPO, "test-artifacts", "screenshots");
const PYTHON = join(REPO, ".venv", "bin", "python");
const BARB = join(REPO, ".venv", "bin", "barb");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// The `barb` script imports the package the venv was installed from, which may be another checkout (a shared venv):
// this checkout's sources go first, so the backend under test is the one beside this SPA.
const CHECKOUT_ENV = { ...process.env, PYTHONPATH: [REPO, process.env.PYTHONPATH].filter(Boolean).join(":") };

export function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

async function waitFor(url, timeoutMs, proc, name) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`${name} exited early with code ${proc.exitCode}:\n${proc.output.join("")}`);
    try {
      const response = await fetch(url);
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} did not answer ${url} within ${timeoutMs} ms:\n${proc.output.join("")}`);
}

function start(name, command, args, env) {
  const proc = spawn(command, args, { cwd: REPO, env: { ...CHECKOUT_ENV, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  proc.output = [];
  const keep = (chunk) => {
    proc.output.push(chunk.toString());
    if (proc.output.length > 200) proc.output.shift();
  };
  proc.stdout.on("data", keep);
  proc.stderr.on("data", keep);
  return proc;
}

function stop(proc) {
  if (!proc || proc.exitCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
    proc.once("exit", () => {
      clearTimeout(timer);
      done();
    });
    proc.kill("SIGTERM");
  });
}

/** What the stack needs that may be missing, as sentences (empty when everything is there). */
export function missingPieces() {
  const missing = [];
  if (!existsSync(BARB)) missing.push(`${BARB} (the backend's \`barb\` console script)`);
  if (!existsSync(join(REPO, "server.py"))) missing.push("server.py (the container app)");
  if (!existsSync(join(REPO, "tests", "fake_anthropic.py"))) missing.push("tests/fake_anthropic.py (the scripted model)");
  if (!existsSync(CHROMIUM)) missing.push(`${CHROMIUM} (apt-get install -y chromium)`);
  if (!existsSync(join(REPO, "front", "dist", "index.html"))) missing.push("front/dist (run `npm run build` first)");
  return missing;
}

/** Starts the stack with a year of sample bars for each of `symbols` (NQ alone unless a suite needs more). */
export async function startStack({ symbols = ["NQ"] } = {}) {
  const missing = missingPieces();
  if (missing.length) throw new Error(`The browser tests cannot start; missing: ${missing.join("; ")}`);
  const root = mkdtempSync(join(tmpdir(), "barb-e2e-"));
  const dataDir = join(root, "data");
  const dbDir = join(root, "db");
  mkdirSync(dataDir);
  mkdirSync(dbDir);
  mkdirSync(SCREENSHOTS, { recursive: true });
  // One year: enough for the tests and quick to generate (serve would otherwise make the whole default set).
  const sample = spawnSync(BARB, ["sample-data", "--data-dir", dataDir, "--symbols", symbols.join(","), "--years", "1"], { cwd: REPO, env: CHECKOUT_ENV, encoding: "utf8" });
  if (sample.status !== 0) throw new Error(`sample-data failed:\n${sample.stdout}${sample.stderr}`);

  const modelPort = await freePort();
  const model = start("fake model", PYTHON, ["-m", "tests.fake_anthropic", "--port", String(modelPort), "--scenario", "demo"], {});
  await waitFor(`http://127.0.0.1:${modelPort}/`, 30_000, model, "fake model");

  const apiPort = await freePort();
  const server = start("barb serve", BARB, ["serve", "--port", String(apiPort)], {
    DATABASE_PATH: join(dbDir, "barb.sqlite3"),
    DATA_DIR: dataDir,
    VAR_DIR: join(root, "var"),
    // The samples made above are all the tests need; do not let serve complete the default sample set.
    SAMPLE_DATA: "false",
    ANTHROPIC_API_KEY: "test",
    ANTHROPIC_BASE_URL: `http://127.0.0.1:${modelPort}`,
  });
  const baseUrl = `http://127.0.0.1:${apiPort}`;
  await waitFor(`${baseUrl}/health`, 180_000, server, "barb serve");

  const profile = join(root, "chromium-profile");
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1280, height: 860 },
    acceptDownloads: true,
    reducedMotion: "reduce",
    baseURL: baseUrl,
  });

  return {
    baseUrl,
    context,
    root,
    logs: () => server.output.join(""),
    async close() {
      await context.close().catch(() => undefined);
      await stop(server);
      await stop(model);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * Inside a `describe`: before its tests, start the stack, open a page on it with a 20 s default timeout and hand both
 * to `opened` (which may prepare the page further); after them, stop the stack. `options` go to `startStack`.
 */
export function withStackAndPage(opened, options = {}) {
  let stack;
  before(async () => {
    stack = await startStack(options);
    const page = await stack.context.newPage();
    page.setDefaultTimeout(20_000);
    await opened({ stack, page });
  });
  after(async () => {
    await stack?.close();
  });
}
