// Browser scenarios against the real backend in local mode with the scripted model (`tests/fake_anthropic.py`,
// scenario "demo": a sentence, one run_query call, then a final answer streamed over about 2 s).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { accessibilityProblems, focused } from "./helpers.mjs";
import { SCREENSHOTS, withStackAndPage } from "./stack.mjs";

const EMAIL = "trader@example.com";
let stack;
let page;

const shot = (name, target = page) => target.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });

async function ask(question) {
  const box = page.getByLabel("Your question");
  await box.fill(question);
  await box.press("Enter");
}

describe("Barb in the browser", { timeout: 600_000 }, () => {
  withStackAndPage((started) => ({ stack, page } = started));

  it("signs in with an e-mail and returns to the page asked for", async () => {
    await page.goto("/i/NQ/query");
    await page.waitForURL(/\/sign-in\?next=/);
    await page.getByLabel("E-mail").fill(EMAIL);
    await shot("01-sign-in");
    assert.deepEqual(await accessibilityProblems(page), []);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/i\/NQ\/query$/);
    await page.getByRole("link", { name: "Barb", exact: true }).click();
    await page.getByRole("heading", { name: "Your workspace" }).waitFor();
    assert.match(await page.getByRole("navigation", { name: "Workspace" }).innerText(), new RegExp(EMAIL));
  });

  it("adds an instrument and shows its candlestick chart", async () => {
    await page.getByRole("button", { name: "Add instrument" }).first().click();
    const dialog = page.getByRole("dialog", { name: "Add instrument" });
    // The dialog opens with focus in its search box, so typing goes straight there.
    await dialog.getByLabel("Search by symbol or name").waitFor();
    await page.keyboard.type("NQ");
    assert.equal(await dialog.getByLabel("Search by symbol or name").inputValue(), "NQ");
    await dialog.getByRole("button", { name: /^NQ/ }).click();
    await page.waitForURL(/\/i\/NQ$/);
    const sidebar = page.getByRole("navigation", { name: "Workspace" });
    await sidebar.getByRole("link", { name: /NQ/ }).first().waitFor();
    assert.equal(await sidebar.getByRole("link", { name: /NQ/ }).first().getAttribute("href"), "/i/NQ");
    await page.locator('.chart-canvas[data-status="ready"] canvas').first().waitFor({ timeout: 30_000 });
    await page.getByText("Synthetic sample").waitFor();
    await page.locator(".attribution").getByRole("link", { name: "TradingView" }).waitFor();
    await shot("02-instrument");
    assert.deepEqual(await accessibilityProblems(page), []);
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
    // The scripted query maps chg_pct = change_pct(close): a percentage, so its header and values say so.
    const table = answer.locator('[data-block="table"] table.data');
    await table.getByRole("columnheader", { name: "Chg %" }).waitFor();
    assert.match(await table.locator("tbody tr:not([aria-hidden])").first().locator("td").nth(1).innerText(), /^-?[\d,]+\.\d+%$/);
    await shot("03-chat-answer");
    assert.deepEqual(await accessibilityProblems(page), []);
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
    const good = { from: "daily", period: "last_20", map: { chg: "change_pct(close)" }, sort: "chg desc" };
    await editor.focus();
    await page.keyboard.press("Control+a");
    await page.keyboard.type(JSON.stringify(good));
    await page.keyboard.press("Control+Enter");
    await page.locator('[data-block="table"] table.data tbody tr').first().waitFor();
    assert.equal(await errors.count(), 0);
    await shot("08-query-result");
    assert.deepEqual(await accessibilityProblems(page), []);
    // The query that ran is in the URL: a reload (or the link, shared) opens it with its result.
    await page.waitForURL((url) => url.searchParams.get("q") === JSON.stringify(good));
    await page.reload();
    await page.locator('[data-block="table"] table.data tbody tr').first().waitFor();
    assert.deepEqual(JSON.parse(await editor.inputValue()), good);
  });

  it("dates an evening bar by its calendar day and shows its trade date beside it", async () => {
    // The 18:00 ET bars open the next day's trade date: the engine labels the Sunday 18:00 bar with Monday's date.
    const query = JSON.stringify({ from: "1h", period: "last_5", where: "time() == '18:00'" });
    await page.goto(`/i/NQ/query?q=${encodeURIComponent(query)}`);
    const table = page.locator('[data-block="table"] table.data');
    await table.getByRole("columnheader", { name: "Trade date" }).waitFor();
    const headers = await table.locator("thead th").allInnerTexts();
    assert.deepEqual(headers.slice(0, 3), ["Date", "Time", "Trade date"]);
    const rows = await table.locator("tbody tr:not([aria-hidden])").evaluateAll((trs) => trs.map((tr) => [...tr.cells].slice(0, 3).map((td) => td.textContent)));
    assert.ok(rows.length >= 3, `expected some 18:00 bars, got ${rows.length}`);
    for (const [date, time, tradeDate] of rows) {
      assert.equal(time, "18:00");
      const next = new Date(`${date}T00:00:00Z`);
      next.setUTCDate(next.getUTCDate() + 1);
      assert.equal(tradeDate, next.toISOString().slice(0, 10), `the bar of ${date} 18:00 trades on the next day`);
    }
  });

  it("says plainly when a chat does not exist: one statement, no retry, no question box", async () => {
    await page.goto("/i/NQ/c/no-such-chat");
    await page.getByRole("heading", { name: "Chat not found" }).waitFor();
    const main = page.locator("main");
    assert.equal(await main.getByText(/not found/i).count(), 1);
    assert.equal(await page.getByRole("button", { name: "Try again" }).count(), 0);
    assert.equal(await page.getByRole("alert").count(), 0);
    assert.equal(await page.getByLabel("Your question").count(), 0);
    assert.equal(await main.getByRole("link", { name: "Go to NQ" }).getAttribute("href"), "/i/NQ");
  });

  it("says what is missing for an unknown symbol and for an instrument without bars, instead of offering questions", async () => {
    await page.goto("/i/ZZZ");
    await page.getByRole("heading", { name: "No instrument called ZZZ" }).waitFor();
    assert.equal(await page.getByLabel("Your question").count(), 0);
    assert.equal(await page.locator(".suggestions").count(), 0);
    assert.equal(await page.getByRole("alert").count(), 0);

    await page.goto("/i/6A");
    await page.getByRole("heading", { name: "No data for 6A yet" }).waitFor();
    assert.equal(await page.getByLabel("Import command").innerText(), "barb import FILE --symbol 6A");
    assert.equal(await page.getByLabel("Your question").count(), 0);
    assert.equal(await page.locator(".suggestions").count(), 0);
    assert.equal(await page.locator(".chart-canvas").count(), 0);
    await shot("14-no-data");
    assert.deepEqual(await accessibilityProblems(page), []);
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
    // A chat's rename/delete menu is reachable without hover (a phone has none).
    assert.equal(await sidebar.getByRole("button", { name: /^Actions for What happened/ }).isVisible(), true);
    await shot("10-phone-drawer", phone);
    await sidebar.getByRole("link", { name: /What happened/ }).click();
    await sidebar.waitFor({ state: "hidden" });
    // The answer's table is wider than the phone: a shaded right edge says there is more; scrolling shows a left one.
    const edges = phone.locator(".table-scroll").first();
    await edges.waitFor();
    const edgeShown = async (side) => phone.waitForFunction(
      ([el, pseudo]) => el.hasAttribute(`data-more-${pseudo === "::after" ? "right" : "left"}`) && getComputedStyle(el, pseudo).opacity === "1",
      [await edges.elementHandle(), side],
    );
    await edgeShown("::after");
    assert.equal(await edges.getAttribute("data-more-left"), null);
    await edges.scrollIntoViewIfNeeded();
    await shot("16-phone-table-edge", phone);
    await edges.getByRole("region").focus();
    for (let i = 0; i < 6; i++) await phone.keyboard.press("ArrowRight");
    await edgeShown("::before");
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
    await search.waitFor();
    assert.equal(await focused(page), "Search instruments, chats and actions", "the palette opens with focus in its search box");
    // An exact symbol comes first, before symbols that start with it and names that contain it.
    await page.keyboard.type("es");
    await page.waitForFunction(() => document.querySelector('#palette-list [role="option"]')?.textContent?.startsWith("ES · "));
    assert.equal(await page.getByRole("option").first().getAttribute("aria-selected"), "true");
    await page.keyboard.press("Escape");
    await search.waitFor({ state: "detached" });
    await page.keyboard.press("Control+k");
    await search.waitFor();
    await page.keyboard.type("what happened");
    await page.getByRole("option", { name: /What happened/ }).waitFor();
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/i\/NQ\/c\/[^/]+$/);
    await page.getByRole("log", { name: "Conversation" }).waitFor();
  });

  it("renames and deletes a chat from its menu with the keyboard, and Undo brings it back", async () => {
    const created = await page.evaluate(async () => {
      const { token } = JSON.parse(localStorage.getItem("barb-session"));
      const response = await fetch("/api/conversations", {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
        body: JSON.stringify({ instrument: "NQ", title: "Scratch" }),
      });
      return response.json();
    });
    const deletes = [];
    page.on("request", (r) => r.method() === "DELETE" && deletes.push(r.url()));
    await page.goto("/i/NQ");
    const sidebar = page.getByRole("navigation", { name: "Workspace" });
    const link = (name) => sidebar.getByRole("link", { name: new RegExp(`NQ ${name}$`) });

    await link("Scratch").focus();
    await page.keyboard.press("Tab");
    assert.equal(await focused(page), "Actions for Scratch");
    await page.keyboard.press("Enter");
    assert.equal(await focused(page), "Rename");
    await page.keyboard.press("Enter");
    assert.equal(await focused(page), "Chat title");
    await page.keyboard.press("Control+a");
    await page.keyboard.type("Scratch renamed");
    await page.keyboard.press("Enter");
    await link("Scratch renamed").waitFor();

    await link("Scratch renamed").focus();
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.keyboard.press("ArrowDown");
    assert.equal(await focused(page), "Delete");
    await page.keyboard.press("Enter");
    await link("Scratch renamed").waitFor({ state: "detached" });
    await page.getByRole("status").getByText("Deleted “Scratch renamed”.").waitFor();
    assert.equal(await focused(page), "Undo", "the row is gone, so focus lands on Undo");
    await shot("15-undo-delete");
    await page.keyboard.press("Enter");
    await link("Scratch renamed").waitFor();
    assert.deepEqual(deletes, [], "Undo before the delay sends no DELETE");

    await sidebar.getByRole("button", { name: "Actions for Scratch renamed" }).click();
    const sent = page.waitForRequest((r) => r.method() === "DELETE" && r.url().endsWith(`/api/conversations/${created.id}`), { timeout: 15_000 });
    await sidebar.getByRole("menuitem", { name: "Delete" }).click();
    await sent;
    await page.getByText("Deleted “Scratch renamed”.").waitFor({ state: "detached" });
    await page.reload();
    await sidebar.getByRole("link", { name: /What happened/ }).waitFor();
    assert.equal(await link("Scratch renamed").count(), 0);
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
    assert.deepEqual(await accessibilityProblems(page), []);
  });
});
