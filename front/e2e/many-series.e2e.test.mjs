// Many series at once, against the real backend and engine with sample bars for two instruments: the instrument
// page's comparison (one query with on()) and a screen run from the query console.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { accessibilityProblems } from "./helpers.mjs";
import { SCREENSHOTS, withStackAndPage } from "./stack.mjs";

let stack;
let page;

const shot = (name) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });

describe("Many series at once", { timeout: 600_000 }, () => {
  withStackAndPage((started) => ({ stack, page } = started), { symbols: ["NQ", "ES"] });

  it("signs in", async () => {
    await page.goto("/sign-in?next=/i/NQ");
    await page.getByLabel("E-mail").fill("series@example.com");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/i\/NQ$/);
  });

  it("compares NQ with ES on the instrument page: the overlaid chart and the correlation of daily returns", async () => {
    const compare = page.getByRole("region", { name: "Compare NQ" });
    const picker = compare.getByLabel("Compare with");
    await compare.getByRole("option", { name: /^ES · / }).waitFor({ state: "attached" });
    const answered = page.waitForResponse((r) => r.url().endsWith("/api/query") && r.request().method() === "POST");
    await picker.selectOption("ES");
    const response = await answered;
    assert.equal(response.status(), 200);
    const posted = response.request().postDataJSON();
    assert.equal(posted.instrument, "NQ");
    assert.match(posted.query.map.other, /^on\('ES', close\)/);
    const result = await response.json();
    assert.deepEqual(result.source.instruments, ["NQ", "ES"]);

    const figure = compare.getByRole("figure", { name: /^NQ and ES closes, each 100 on \d{4}-\d{2}-\d{2}$/ });
    await figure.locator("canvas").first().waitFor();
    const number = await compare.locator(".compare-correlation strong").innerText();
    assert.match(number, /^-?[01]\.\d\d$/);
    // The number shown is the engine's, rounded for display.
    const corr = result.rows[0][result.columns.findIndex((c) => c.name === "corr")];
    assert.equal(number, corr.toFixed(2));
    // Both lines start at 100 on the range's first day.
    assert.deepEqual(result.rows[0].slice(1, 3).map((v) => Math.round(v * 1e6) / 1e6), [100, 100]);
    await figure.scrollIntoViewIfNeeded();
    await shot("many-series-01-compare");
    assert.deepEqual(await accessibilityProblems(page), []);
  });

  it("runs a screen in the query console and sees the instruments ranked, each linking to its page", async () => {
    await page.goto("/i/NQ/query");
    await page.getByRole("button", { name: "Rank instruments by 20-day volatility" }).click();
    await page.getByRole("button", { name: "Run query" }).click();
    const card = page.getByRole("region", { name: "Screen result" });
    const rows = card.locator("table.data tbody tr:not([aria-hidden])");
    await rows.first().waitFor();
    assert.equal(await rows.count(), 2);
    const cells = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)));
    assert.deepEqual(cells.map((c) => c[0]), ["1", "2"]);
    assert.deepEqual(cells.map((c) => c[1]).sort(), ["ES", "NQ"]);
    const volatilities = cells.map((c) => Number(c[2]));
    assert.ok(volatilities[0] >= volatilities[1], `ranked by volatility, highest first: ${volatilities}`);
    assert.match(await page.getByText(/^2 rows · /).innerText(), /· (ES · NQ|NQ · ES) ·/);
    await shot("many-series-02-screen");
    assert.deepEqual(await accessibilityProblems(page), []);
    await rows.first().getByRole("link").click();
    await page.waitForURL(new RegExp(`/i/${cells[0][1]}$`));
  });
});
