// Browser scenarios against the real backend in local mode with the scripted model (`tests/fake_anthropic.py`,
// scenario "demo": a sentence, one run_query call, then a final answer streamed over about 2 s).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SCREENSHOTS, startStack } from "./stack.mjs";

const EMAIL = "trader@example.com";
let stack;
let page;

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/** WCAG 2 A/AA problems axe-core finds on the page, as readable lines (empty when clean). */
async function accessibilityProblems(target = page) {
  await target.addScriptTag({ path: AXE });
  const violations = await target.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa"] } });
    return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")})`);
  });
  return violations;
}

const shot = (name, target = page) => target.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });

async function ask(question) {
  const box = page.getByLabel("Your question");
  await box.fill(question);
  await box.press("Enter");
}

describe("Barb in the browser", { timeout: 600_000 }, () => {
  before(async () => {
    stack = await startStack();
    page = await stack.context.newPage();
    page.setDefaultTimeout(20_000);
  });

  after(async () => {
    await stack?.close();
  });

  it("signs in with an e-mail and returns to the page asked for", async () => {
    await page.goto("/i/NQ/query");
    await page.waitForURL(/\/sign-in\?next=/);
    await page.getByLabel("E-mail").fill(EMAIL);
    await shot("01-sign-in");
    assert.deepEqual(await accessibilityProblems(), []);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/i\/NQ\/query$/);
    await page.getByRole("link", { name: "Barb", exact: true }).click();
    await page.getByRole("heading", { name: "Your workspace" }).waitFor();
    assert.match(await page.getByRole("navigation", { name: "Workspace" }).innerText(), new RegExp(EMAIL));
  });

  it("adds an instrument and shows its candlestick chart", async () => {
    await page.getByRole("button", { name: "Add instrument" }).first().click();
    const dialog = page.getByRole("dialog", { name: "Add instrument" });
    await dialog.getByLabel("Search by symbol or name").fill("NQ");
    await dialog.getByRole("button", { name: /^NQ/ }).click();
    await page.waitForURL(/\/i\/NQ$/);
    const sidebar = page.getByRole("navigation", { name: "Workspace" });
    await sidebar.getByRole("link", { name: /NQ/ }).first().waitFor();
    assert.equal(await sidebar.getByRole("link", { name: /NQ/ }).first().getAttribute("href"), "/i/NQ");
    await page.locator('.chart-canvas[data-status="ready"] canvas').first().waitFor({ timeout: 30_000 });
    await page.getByText("Synthetic sample").waitFor();
    await page.locator(".attribution").getByRole("link", { name: "TradingView" }).waitFor();
    await shot("02-instrument");
    assert.deepEqual(await accessibilityProblems(), []);
    // On the hourly chart (a page of bars covers a few weeks), zooming out towards the start asks for older bars.
    await page.getByRole("group", { name: "Timeframe" }).getByRole("button", { name: "1H" }).click();
    await page.locator('.chart-canvas[data-status="ready"]').waitFor({ timeout: 30_000 });
    await page.getByText(/America\/New_York O /).waitFor();
    const older = page.waitForRequest((r) => /\/bars\?.*\bto=\d+/.test(r.url()), { timeout: 15_000 });
    const area = await page.locator(".chart-canvas").boundingBox();
    await page.mouse.move(area.x + area.width / 2, area.y + area.height / 2);
    for (let i = 0; i < 25; i++) {
      await page.mouse.wheel(0, 400);
      await page.waitForTimeout(60);
    }
    await older;
  });

  it("asks a question and sees streamed text, a tool step and a table card", async () => {
    await ask("What happened over the last 10 days?");
    await page.waitForURL(/\/i\/NQ\/c\/[^/]+$/);
    const answer = page.getByRole("article", { name: "Answer" }).last();
    await answer.getByText("Let me pull the last 10 daily bars").waitFor();
    await answer.locator('[data-tool-step]').first().waitFor();
    await answer.locator('[data-block="table"] table.data tbody tr').first().waitFor({ timeout: 30_000 });
    await answer.getByText(/Ran query: Last 10 daily bars/).waitFor();
    await page.locator('article[data-status="complete"]').last().waitFor({ timeout: 30_000 });
    const rows = await answer.locator('[data-block="table"] table.data tbody tr:not([aria-hidden])').count();
    assert.ok(rows >= 5, `expected the table to show the bars, got ${rows} rows`);
    await shot("03-chat-answer");
    assert.deepEqual(await accessibilityProblems(), []);
  });

  it("stops an answer while it streams and keeps what was written", async () => {
    await ask("And the ten before that?");
    const answer = page.getByRole("article", { name: "Answer" }).last();
    await answer.locator('[data-block="table"] table.data tbody tr').first().waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: /Stop the answer/ }).click();
    await page.locator('article[data-status="stopped"]').last().waitFor({ timeout: 15_000 });
    await page.getByText("Stopped. What was written so far is kept.").waitFor();
    await page.getByRole("button", { name: "Send (Enter)" }).waitFor();
    await shot("04-chat-stopped");
  });

  it("shows the history after a reload", async () => {
    const url = page.url();
    await page.reload();
    await page.waitForURL(url);
    const log = page.getByRole("log", { name: "Conversation" });
    await log.getByText("What happened over the last 10 days?").waitFor();
    await log.getByText("And the ten before that?").waitFor();
    await log.locator('article[data-status="stopped"]').waitFor();
    assert.equal(await page.locator('[data-block="table"]').count() >= 1, true);
    await page.getByRole("navigation", { name: "Workspace" }).getByRole("link", { name: /NQ/ }).first().waitFor();
    await shot("05-chat-history");
  });

  it("exports a table as CSV", async () => {
    const card = page.locator('[data-block="table"]').first();
    const [download] = await Promise.all([page.waitForEvent("download"), card.getByRole("button", { name: "CSV" }).click()]);
    assert.match(download.suggestedFilename(), /\.csv$/);
    const text = readFileSync(await download.path(), "utf8");
    const lines = text.trim().split(/\r\n/);
    const header = lines[0].split(",");
    assert.ok(header.includes("date") && header.includes("close"), `unexpected header ${lines[0]}`);
    const shownRows = await card.locator("table.data tbody tr:not([aria-hidden])").count();
    assert.equal(lines.length - 1, shownRows);
    for (const line of lines.slice(1)) assert.equal(line.split(",").length, header.length);
  });

  it("opens a card full size in the resizable data panel and shows its query", async () => {
    await page.getByRole("button", { name: "Open in the data panel" }).first().click();
    const panel = page.getByRole("complementary", { name: "Data panel" });
    await panel.locator("table.data").waitFor();
    const separator = page.getByRole("separator", { name: "Resize data panel" });
    const before = (await panel.boundingBox()).width;
    await separator.focus();
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("ArrowLeft");
    assert.ok((await panel.boundingBox()).width > before, "arrow keys widen the panel");
    await panel.getByRole("button", { name: "View query" }).click();
    assert.match(await panel.getByLabel("Barb Script query").innerText(), /"from"/);
    assert.match(await panel.getByRole("link", { name: "Open in query console" }).getAttribute("href"), /^\/i\/NQ\/query\?q=/);
    await shot("06-data-panel");
    await page.keyboard.press("Escape");
    await panel.waitFor({ state: "detached" });
  });

  it("runs a query in the console: a validation error inline, then a result", async () => {
    await page.goto("/i/NQ/query");
    const editor = page.getByLabel("Barb Script (JSON)");
    await editor.fill(JSON.stringify({ from: "daily", period: "last_20", map: { chg: "change_pct(close" }, sort: "nope desc" }));
    await page.getByRole("button", { name: "Run query" }).click();
    const errors = page.locator("#query-errors .query-invalid");
    await errors.waitFor();
    assert.doesNotMatch(await errors.innerText(), /[{}]"|"code"/, "errors are sentences, not raw JSON");
    await shot("07-query-error");
    await editor.fill(JSON.stringify({ from: "daily", period: "last_20", map: { chg: "change_pct(close)" }, sort: "chg desc" }));
    await page.getByRole("button", { name: "Run query" }).click();
    await page.locator('[data-block="table"] table.data tbody tr').first().waitFor();
    assert.equal(await errors.count(), 0);
    await shot("08-query-result");
    assert.deepEqual(await accessibilityProblems(), []);
  });

  it("lays out for a phone: drawer sidebar and a full-screen data sheet", async () => {
    const phone = await stack.context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto("/i/NQ");
    await phone.locator(".chart-canvas:not([data-status=loading])").waitFor({ timeout: 30_000 });
    const sidebar = phone.getByRole("navigation", { name: "Workspace" });
    assert.equal(await sidebar.isVisible(), false);
    await shot("09-phone-instrument", phone);
    assert.deepEqual(await accessibilityProblems(phone), []);
    await phone.getByRole("button", { name: "Open sidebar" }).click();
    await sidebar.waitFor({ state: "visible" });
    await shot("10-phone-drawer", phone);
    await sidebar.getByRole("link", { name: /What happened/ }).click();
    await sidebar.waitFor({ state: "hidden" });
    await phone.getByRole("button", { name: "Open in the data panel" }).first().click();
    const panel = phone.getByRole("complementary", { name: "Data panel" });
    await panel.waitFor();
    const box = await panel.boundingBox();
    assert.ok(box && box.width >= 380 && box.height >= 800, `the panel should fill the phone screen, got ${JSON.stringify(box)}`);
    await shot("11-phone-sheet", phone);
    await phone.keyboard.press("Escape");
    await panel.waitFor({ state: "detached" });
    await phone.close();
  });

  it("jumps to a conversation with the ⌘/Ctrl+K command palette", async () => {
    await page.goto("/i/NQ/query");
    await page.getByLabel("Barb Script (JSON)").waitFor();
    await page.keyboard.press("Control+k");
    const search = page.getByRole("combobox", { name: "Search instruments, chats and actions" });
    await search.fill("what happened");
    await page.getByRole("option", { name: /What happened/ }).waitFor();
    await search.press("Enter");
    await page.waitForURL(/\/i\/NQ\/c\/[^/]+$/);
    await page.getByRole("log", { name: "Conversation" }).waitFor();
  });

  it("switches to the dark theme and keeps it after a reload", async () => {
    await page.goto("/i/NQ");
    await page.getByRole("group", { name: "Theme" }).getByRole("button", { name: "Dark" }).click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "dark");
    await page.reload();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "dark");
    await page.locator('.chart-canvas[data-status="ready"]').waitFor({ timeout: 30_000 });
    await shot("12-dark-instrument");
    await page.getByRole("navigation", { name: "Workspace" }).getByRole("link", { name: /What happened/ }).click();
    await page.locator('[data-block="table"]').first().waitFor();
    await shot("13-dark-chat");
    assert.deepEqual(await accessibilityProblems(), []);
  });
});
