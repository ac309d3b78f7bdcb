// The SPA driven by the keyboard alone (page.keyboard only: no clicks, no fill) against the real backend, with an
// axe check on each page: sign-in, home, instrument, chat, query console, not-found, and the phone drawer.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { accessibilityProblems, focusedElement, tabUntil } from "./helpers.mjs";
import { withStackAndPage } from "./stack.mjs";

const EMAIL = "keys@example.com";
let stack;
let page;

/** Waits until focus sits on an element matching `selector` (focus may move a frame after a navigation). */
const focusOn = (selector, target = page) => target.waitForFunction((s) => document.activeElement?.matches(s) ?? false, selector);

async function palette(text) {
  await page.keyboard.press("Control+k");
  await page.getByRole("combobox", { name: "Search instruments, chats and actions" }).waitFor();
  await page.keyboard.type(text);
}

describe("Barb by keyboard alone", { timeout: 600_000 }, () => {
  withStackAndPage((started) => ({ stack, page } = started));

  it("signs in with the keyboard", async () => {
    await page.goto("/sign-in?next=/");
    await page.getByLabel("E-mail").waitFor();
    assert.deepEqual(await accessibilityProblems(page), []);
    assert.ok(await tabUntil(page, () => document.activeElement?.id === "email"), "Tab reaches the e-mail field");
    await page.keyboard.type(EMAIL);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Your workspace" }).waitFor();
    assert.deepEqual(await accessibilityProblems(page), []);
  });

  it("jumps to an instrument with the palette and lands on its heading", async () => {
    await palette("NQ");
    await page.waitForFunction(() => document.querySelector('#palette-list [role="option"][aria-selected="true"]')?.textContent?.startsWith("NQ · "));
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/i\/NQ$/);
    await focusOn("#main h1");
    assert.match((await focusedElement(page)).name, /^NQ\b/);
    await page.locator('.chart-canvas[data-status="ready"] canvas').first().waitFor({ timeout: 30_000 });
    assert.deepEqual(await accessibilityProblems(page), []);
  });

  it("reaches the price chart with Tab and steps through its bars with the arrow keys", async () => {
    assert.ok(await tabUntil(page, () => document.activeElement?.classList.contains("chart-canvas") ?? false), "Tab reaches the chart");
    const chart = page.locator(".chart-canvas");
    assert.equal(await chart.getAttribute("role"), "application");
    assert.equal(await chart.getAttribute("aria-label"), "NQ price chart, daily bars");
    const legend = page.locator(".chart-legend");
    const live = page.locator('.chart-box [aria-live="polite"]');
    const last = await legend.innerText();
    assert.equal(await live.innerText(), "", "nothing is announced before a key moves the crosshair");

    await page.keyboard.press("ArrowLeft");
    const previous = await legend.innerText();
    assert.notEqual(previous, last, "the legend follows the crosshair to the previous bar");
    const date = previous.split(" ")[0];
    assert.match(await live.innerText(), new RegExp(`^${date}: open [\\d,.]+, high [\\d,.]+, low [\\d,.]+, close [\\d,.]+, volume [\\d,]+$`));

    await page.keyboard.press("ArrowRight");
    assert.equal(await legend.innerText(), last, "Right comes back to the last bar");
    await page.keyboard.press("PageDown");
    const tenBack = await legend.innerText();
    assert.ok(tenBack.split(" ")[0] < date, `Page Down moves ten bars back (${tenBack} vs ${previous})`);
    await page.keyboard.press("Home");
    const first = (await legend.innerText()).split(" ")[0];
    assert.ok(first < tenBack.split(" ")[0], `Home goes to the first bar loaded (${first})`);
    await page.keyboard.press("End");
    assert.equal(await legend.innerText(), last);
    assert.equal((await focusedElement(page)).tag, "div", "the chart keeps focus while its keys are used");
  });

  it("runs a query in the console by keyboard, and focus stays where Run was pressed", async () => {
    await palette("query console");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/i\/NQ\/query$/);
    await focusOn("#main h1");
    assert.equal((await focusedElement(page)).name, "Query console · NQ");

    assert.ok(await tabUntil(page, () => document.activeElement?.id === "query-text"), "Tab reaches the editor");
    await page.keyboard.press("Control+a");
    await page.keyboard.type(JSON.stringify({ from: "daily", period: "last_5" }));
    await page.keyboard.press("Control+Enter");
    await page.locator('[data-block="table"] table.data tbody tr').first().waitFor();
    assert.equal((await focusedElement(page)).id, "query-text", "⌘/Ctrl+Enter leaves focus in the editor");

    assert.ok(await tabUntil(page, () => document.activeElement?.textContent?.trim() === "Run query"), "Tab reaches Run query");
    const answered = page.waitForResponse((r) => r.url().endsWith("/api/query"));
    await page.keyboard.press("Enter");
    await answered;
    await page.locator('button[type="submit"]:not([aria-disabled="true"])').waitFor();
    assert.equal((await focusedElement(page))?.name, "Run query", "focus stays on Run query while it runs and after");
    assert.deepEqual(await accessibilityProblems(page), []);
  });

  it("starts a chat from the palette with focus in the question box, and the chat page passes axe", async () => {
    await palette("new chat");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/i\/NQ$/);
    await focusOn("#composer-input");
    await page.keyboard.type("What happened over the last 10 days?");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/i\/NQ\/c\/[^/]+$/);
    await page.locator('article[data-status="complete"]').last().waitFor({ timeout: 30_000 });
    assert.equal((await focusedElement(page))?.id, "composer-input", "focus stays in the question box");
    assert.deepEqual(await accessibilityProblems(page), []);
  });

  it("says a page is not found, and that page passes axe", async () => {
    await page.goto("/no/such/page");
    await page.getByRole("heading", { name: "Page not found" }).waitFor();
    assert.deepEqual(await accessibilityProblems(page), []);
  });

  it("keeps Tab inside the open phone drawer; Escape closes it and returns focus to its button", async () => {
    const phone = await stack.context.newPage();
    phone.setDefaultTimeout(20_000);
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto("/i/NQ");
    await phone.locator(".chart-canvas:not([data-status=loading])").waitFor({ timeout: 30_000 });
    const sidebar = phone.getByRole("navigation", { name: "Workspace" });
    assert.ok(await tabUntil(phone, () => document.activeElement?.getAttribute("aria-label") === "Open sidebar"), "Tab reaches the menu button");
    await phone.keyboard.press("Enter");
    await sidebar.waitFor({ state: "visible" });
    assert.equal((await focusedElement(phone)).name, "Close sidebar", "the drawer opens with focus inside it");
    assert.deepEqual(await accessibilityProblems(phone), []);

    // More presses than the drawer has stops, both ways: focus wraps around and never leaves it.
    const names = new Set();
    for (const key of ["Tab", "Shift+Tab"]) {
      for (let i = 0; i < 30; i++) {
        await phone.keyboard.press(key);
        const now = await focusedElement(phone);
        assert.ok(now?.inSidebar, `${key} #${i + 1} left the drawer for ${JSON.stringify(now)}`);
        names.add(now.name);
      }
    }
    assert.ok(names.has("Close sidebar") && names.has("Sign out"), "the cycle covers the drawer from its first to its last control");

    await phone.keyboard.press("Escape");
    await sidebar.waitFor({ state: "hidden" });
    assert.equal((await focusedElement(phone))?.name, "Open sidebar", "Escape returns focus to the button that opened the drawer");

    // Following a link in the drawer closes it and puts focus on the new page, not on the hidden link.
    await phone.keyboard.press("Enter");
    await sidebar.waitFor({ state: "visible" });
    assert.ok(await tabUntil(phone, () => /What happened/.test(document.activeElement?.textContent ?? "")), "Tab reaches the chat link");
    await phone.keyboard.press("Enter");
    await phone.waitForURL(/\/i\/NQ\/c\/[^/]+$/);
    await sidebar.waitFor({ state: "hidden" });
    await focusOn("#main :is(h1, #composer-input)", phone);
    assert.deepEqual(await accessibilityProblems(phone), []);
    await phone.close();
  });
});
