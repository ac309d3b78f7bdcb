import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { installBackend } from "@/test/fake-backend";
import { renderApp, resetTheAppAroundEachTest } from "@/test/render-app";

// jsdom has no canvas: lightweight-charts is replaced by a stand-in that records what the chart is told and keeps a
// visible range, so the keyboard crosshair can be checked here (the browser tests drive the real one).
const fake = vi.hoisted(() => ({
  range: { from: 0, to: 0 } as { from: number; to: number },
  setCrosshairPosition: vi.fn(),
  clearCrosshairPosition: vi.fn(),
}));
vi.mock("lightweight-charts", () => ({
  CandlestickSeries: "candles",
  HistogramSeries: "histogram",
  createChart: () => ({
    addSeries: (kind: string) => ({ kind, setData: () => undefined }),
    priceScale: () => ({ applyOptions: () => undefined }),
    timeScale: () => ({
      subscribeVisibleLogicalRangeChange: () => undefined,
      unsubscribeVisibleLogicalRangeChange: () => undefined,
      getVisibleLogicalRange: () => fake.range,
      setVisibleLogicalRange: (range: { from: number; to: number }) => {
        fake.range = range;
      },
    }),
    subscribeCrosshairMove: () => undefined,
    setCrosshairPosition: fake.setCrosshairPosition,
    clearCrosshairPosition: fake.clearCrosshairPosition,
    applyOptions: () => undefined,
    remove: () => undefined,
  }),
}));

const DAY = 86_400;
const START = Date.UTC(2024, 0, 1) / 1000;
const COUNT = 200;
const date = (i: number) => new Date((START + i * DAY) * 1000).toISOString().slice(0, 10);

/** The fake backend plus 200 daily NQ bars (open 100+i, close 100.5+i), all there is (not truncated). */
function installBars() {
  installBackend();
  const backend = fetch;
  const index = Array.from({ length: COUNT }, (_, i) => i);
  const bars = {
    symbol: "NQ",
    tf: "daily",
    columns: ["time", "open", "high", "low", "close", "volume"],
    data: {
      time: index.map((i) => START + i * DAY),
      open: index.map((i) => 100 + i),
      high: index.map((i) => 102 + i),
      low: index.map((i) => 99 + i),
      close: index.map((i) => 100.5 + i),
      volume: index.map((i) => 1000 + i),
    },
    truncated: false,
  };
  vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) =>
    new URL(String(input), "http://localhost").pathname === "/api/instruments/NQ/bars" ? new Response(JSON.stringify(bars), { headers: { "Content-Type": "application/json" } }) : backend(input, init),
  );
}

resetTheAppAroundEachTest();

describe("price chart by keyboard", () => {
  it("is a named, focusable chart whose arrows, Page keys and Home/End move a crosshair the legend and a live region follow", async () => {
    installBars();
    const { user, container } = renderApp("/i/NQ");
    const chart = await screen.findByRole("application", { name: "NQ price chart, daily bars" });
    await waitFor(() => expect(chart).toHaveAttribute("data-status", "ready"));
    expect(chart).toHaveAttribute("tabindex", "0");
    expect(chart).toHaveAccessibleDescription(/^200 daily bars; last close 299\.50\. Left and Right arrows move between bars/);
    const legend = () => container.querySelector(".chart-legend")?.textContent ?? "";
    const live = () => container.querySelector('.chart-box [aria-live="polite"]')?.textContent ?? "";
    expect(legend()).toMatch(new RegExp(`^${date(COUNT - 1)} O`));
    expect(live()).toBe("");

    chart.focus();
    await user.keyboard("{ArrowLeft}");
    expect(legend()).toMatch(new RegExp(`^${date(198)} O 298 H 300 L 297 C 298\\.50 V 1,198$`));
    expect(live()).toBe(`${date(198)}: open 298, high 300, low 297, close 298.50, volume 1,198`);
    expect(fake.setCrosshairPosition).toHaveBeenLastCalledWith(298.5, START + 198 * DAY, expect.objectContaining({ kind: "candles" }));

    await user.keyboard("{PageDown}");
    expect(live()).toMatch(new RegExp(`^${date(188)}:`));
    await user.keyboard("{PageUp}{ArrowRight}{ArrowRight}");
    expect(live(), "the crosshair stops at the newest bar").toMatch(new RegExp(`^${date(199)}:`));

    // The first bar is far left of the view (the last 120 bars show): Home scrolls it into view.
    await user.keyboard("{Home}");
    expect(live()).toMatch(new RegExp(`^${date(0)}: open 100,`));
    expect(fake.range.from).toBeLessThanOrEqual(0);
    expect(fake.range.to).toBeGreaterThan(0);
    await user.keyboard("{End}");
    expect(live()).toMatch(new RegExp(`^${date(199)}:`));
    expect(fake.range.to).toBeGreaterThanOrEqual(199);

    await user.keyboard("{ArrowLeft}{Escape}");
    expect(fake.clearCrosshairPosition).toHaveBeenCalled();
    expect(live()).toBe("");
    expect(legend(), "without a crosshair the legend shows the newest bar").toMatch(new RegExp(`^${date(COUNT - 1)} O`));
    expect(chart).toHaveFocus();
  });
});
