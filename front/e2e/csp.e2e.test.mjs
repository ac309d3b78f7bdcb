// The built SPA under the Content-Security-Policy `barb serve` sends (shared/web/security.py): sign-in, an
// instrument page with its chart, a streamed answer and the query console work, and the browser reports no
// violation (no `securitypolicyviolation` event, no console message about the policy, no console error).
// Run it alone with `node --test e2e/csp.e2e.test.mjs` (after a build; SPA_DIR may point at another one).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { withStackAndPage } from "./stack.mjs";

const EMAIL = "csp@example.com";
let page;
const violations = [];
const consoleProblems = [];

/** Everything the browser reported so far that the tests do not expect, as readable lines. */
function problems() {
  return [
    ...violations.map((v) => `CSP ${v.directive} blocked ${v.blocked || "inline"} (${v.source}:${v.line}) ${v.sample}`),
    ...consoleProblems,
  ];
}

describe("The SPA under its Content-Security-Policy", { timeout: 600_000 }, () => {
  withStackAndPage(async (started) => {
    ({ page } = started);
    await page.exposeFunction("__barbCspViolation", (v) => violations.push(v));
    await page.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) => {
        window.__barbCspViolation({
          directive: e.effectiveDirective,
          blocked: e.blockedURI,
          source: e.sourceFile,
          line: e.lineNumber,
          sample: e.sample,
        });
      });
    });
    page.on("console", (message) => {
      const text = message.text();
      if (message.type() === "error" || /Content Security Policy/i.test(text)) consoleProblems.push(`console ${message.type()}: ${text}`);
    });
    page.on("pageerror", (error) => consoleProblems.push(`page error: ${error.message}`));
  });

  it("serves the shell with the page policy and runs its hashed inline theme script", async () => {
    const response = await page.goto("/i/NQ/query");
    const policy = response.headers()["content-security-policy"];
    assert.match(policy, /^default-src 'self'; script-src 'self' 'sha256-[A-Za-z0-9+/=]+'; style-src 'self' 'sha256-/);
    assert.match(policy, /connect-src 'self';/);
    assert.match(policy, /frame-ancestors 'none'/);
    assert.doesNotMatch(policy, /unsafe/);
    assert.equal(response.headers()["x-frame-options"], "DENY");
    assert.equal(response.headers()["x-content-type-options"], "nosniff");
    await page.waitForURL(/\/sign-in\?next=/);
    await page.getByLabel("E-mail").waitFor();
    assert.match(await page.evaluate(() => document.documentElement.dataset.theme ?? ""), /^(light|dark)$/, "the inline pre-paint script ran");
    assert.deepEqual(problems(), []);
  });

  it("signs in and opens the query console", async () => {
    await page.getByLabel("E-mail").fill(EMAIL);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/i\/NQ\/query$/);
    await page.getByLabel("Barb Script (JSON)").fill(JSON.stringify({ from: "daily", period: "last_20", map: { chg: "change_pct(close)" }, sort: "chg desc" }));
    await page.getByRole("button", { name: "Run query" }).click();
    await page.locator('[data-block="table"] table.data tbody tr').first().waitFor();
    assert.deepEqual(problems(), []);
  });

  it("shows an instrument's chart with the TradingView logo styled by its hashed <style>", async () => {
    await page.goto("/i/NQ");
    await page.locator('.chart-canvas[data-status="ready"] canvas').first().waitFor({ timeout: 30_000 });
    const logo = page.locator("a#tv-attr-logo").first();
    await logo.waitFor({ state: "attached" });
    assert.equal(await logo.evaluate((a) => getComputedStyle(a).position), "absolute", "the chart's logo <style> applied");
    assert.deepEqual(problems(), []);
  });

  it("streams an answer with its cards", async () => {
    const box = page.getByLabel("Your question");
    await box.fill("What happened over the last 10 days?");
    await box.press("Enter");
    await page.waitForURL(/\/i\/NQ\/c\/[^/]+$/);
    await page.locator('article[data-status="complete"]').last().waitFor({ timeout: 30_000 });
    await page.getByRole("article", { name: "Answer" }).last().locator('[data-block="table"] table.data tbody tr').first().waitFor();
    assert.deepEqual(problems(), []);
  });

  it("would see a violation: an injected inline script is refused and reported", async () => {
    await page.evaluate(() => {
      const script = document.createElement("script");
      script.textContent = "window.__injected = true;";
      document.head.append(script);
    });
    const deadline = Date.now() + 5000;
    while (!violations.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await page.evaluate(() => window.__injected ?? false), false);
    assert.equal(violations.length, 1, JSON.stringify(violations));
    assert.equal(violations[0].directive, "script-src-elem");
    violations.length = 0;
    consoleProblems.splice(0, consoleProblems.length, ...consoleProblems.filter((line) => !/Content Security Policy/.test(line)));
    assert.deepEqual(problems(), []);
  });
});
