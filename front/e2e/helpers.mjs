// Helpers the browser scenarios share: the axe check and where keyboard focus is.
import { AxeBuilder } from "@axe-core/playwright";

/** WCAG 2.0–2.2 A/AA problems axe-core finds on the page, as readable lines (empty when clean). */
export async function accessibilityProblems(page) {
  // AxeBuilder evaluates axe through the DevTools protocol, so the page's CSP (no inline scripts) does not stop it.
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]).analyze();
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")})`);
}

/** The accessible name of the focused element (its aria-label, else its text). */
export const focused = (page) =>
  page.evaluate(() => document.activeElement?.getAttribute("aria-label") ?? document.activeElement?.textContent?.trim() ?? null);

/** What has focus, for assertions: its tag, name, id and the landmark around it; null when it is the page body. */
export const focusedElement = (page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    return {
      tag: el.tagName.toLowerCase(),
      name: el.getAttribute("aria-label") ?? el.textContent?.trim() ?? "",
      id: el.id,
      inSidebar: Boolean(el.closest("#sidebar")),
      inMain: Boolean(el.closest("#main")),
    };
  });

/**
 * Presses Tab (or Shift+Tab) until `isTarget(document.activeElement)` holds in the page, at most `max` times; returns
 * whether it got there.
 */
export async function tabUntil(page, isTarget, { max = 60, shift = false } = {}) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(shift ? "Shift+Tab" : "Tab");
    if (await page.evaluate(isTarget)) return true;
  }
  return false;
}
