import { act, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { installBackend } from "@/test/fake-backend";
import { renderApp, resetTheAppAroundEachTest } from "@/test/render-app";
import { answerBegins } from "@/test/sse-response";

// jsdom has no canvas: the price chart is exercised by the browser tests instead.
vi.mock("@/components/instrument/price-chart", () => ({ PriceChart: () => <div>price chart</div> }));
// The compare chart draws on a canvas too: this stand-in lists the values it is handed.
vi.mock("@/components/charts/overlay-chart", () => ({
  OverlayChart: ({ lines, label }: { lines: Array<{ name: string; points: Array<{ time: string; value: number | null }> }>; label: string }) => (
    <ul aria-label={label}>
      {lines.map((l) => (
        <li key={l.name}>{`${l.name}: ${l.points.map((p) => `${p.time}=${p.value ?? "gap"}`).join(" ")}`}</li>
      ))}
    </ul>
  ),
}));

/** What the engine answers to the comparison query: the rows it would compute for three days. */
const comparisonResult = (query: unknown) => ({
  kind: "table",
  columns: [{ name: "date", type: "date" }, { name: "base", type: "number" }, { name: "other", type: "number" }, { name: "corr", type: "number" }],
  rows: [["2024-03-26", 100, 100, 0.9203], ["2024-03-27", 101.5, null, 0.9203], ["2024-03-28", 99.25, 98.5, 0.9203]],
  source: { bars: "daily-settlement", rows_scanned: 3, period: ["2024-03-26", "2024-03-28"], instruments: ["NQ", "ES"] },
  query,
});

resetTheAppAroundEachTest();

describe("instrument page", () => {
  it("starts a chat: creates the conversation, opens it and streams the answer there", async () => {
    const backend = installBackend();
    const { user } = renderApp("/i/NQ");
    await screen.findByText("price chart");
    await user.type(screen.getByLabelText("Your question"), "Gap fills in 2024?{Enter}");
    await waitFor(() => expect(window.location.pathname).toBe("/i/NQ/c/N"));
    await waitFor(() => expect(backend.streams).toHaveLength(1));
    act(() => backend.streams[0]!.push(answerBegins("m1", "Looking at gaps")));
    expect(await screen.findByText("Looking at gaps")).toBeInTheDocument();
    expect(screen.getByRole("log", { name: "Conversation" })).toHaveTextContent("Gap fills in 2024?");
    act(() => backend.streams[0]!.close());
    await screen.findByRole("button", { name: "Send (Enter)" });
  });

  it("says an unknown symbol is not in the catalogue, with no suggestions and no question box", async () => {
    installBackend();
    renderApp("/i/ZZZ");
    expect(await screen.findByRole("heading", { name: "No instrument called ZZZ" })).toBeInTheDocument();
    expect(screen.queryByRole("alert")).toBeNull();
    expect(screen.queryByText(/How often did ZZZ/)).toBeNull();
    expect(screen.queryByLabelText("Your question")).toBeNull();
    expect(screen.queryByText("price chart")).toBeNull();
  });

  it("says an instrument without bars has no data yet and how to import them, instead of offering questions", async () => {
    installBackend();
    renderApp("/i/6A");
    expect(await screen.findByRole("heading", { name: "No data for 6A yet" })).toBeInTheDocument();
    expect(screen.getByLabelText("Import command")).toHaveTextContent("barb import FILE --symbol 6A");
    expect(screen.getByText("Australian Dollar")).toBeInTheDocument();
    expect(screen.queryByText(/How often did 6A/)).toBeNull();
    expect(screen.queryByLabelText("Your question")).toBeNull();
    expect(screen.queryByText("price chart")).toBeNull();
  });

  it("compares with another instrument: one query with on(), both series normalised and their correlation, from the engine", async () => {
    const backend = installBackend();
    backend.answerQueriesWith(comparisonResult);
    const { user } = renderApp("/i/NQ");
    const select = await screen.findByLabelText("Compare with");
    // Only the other instruments with bars are offered (6A has none; NQ is this page).
    await waitFor(() => expect(within(select).getAllByRole("option").map((o) => o.getAttribute("value"))).toEqual(["", "ES"]));
    await user.selectOptions(select, "ES");
    expect(await screen.findByText("0.92")).toBeInTheDocument();
    expect(screen.getByText(/Correlation of daily returns/)).toHaveTextContent("Correlation of daily returns: 0.92 · 2024-03-26 → 2024-03-28");
    const chart = await screen.findByRole("list", { name: "NQ and ES closes, each 100 on 2024-03-26" });
    expect(within(chart).getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      "NQ: 2024-03-26=100 2024-03-27=101.5 2024-03-28=99.25",
      "ES: 2024-03-26=100 2024-03-27=gap 2024-03-28=98.5",
    ]);
    expect(backend.queries).toEqual([
      {
        instrument: "NQ",
        query: {
          from: "daily",
          period: "last_year",
          map: {
            base: "close / first(close) * 100",
            other: "on('ES', close) / first(on('ES', close)) * 100",
            corr: "correlation(change_pct(close), on('ES', change_pct(close)))",
          },
          columns: ["date", "base", "other", "corr"],
        },
      },
    ]);
    await user.click(screen.getByRole("button", { name: "5 years" }));
    await waitFor(() => expect(backend.queries).toHaveLength(2));
    expect(backend.queries[1]!.query).toMatchObject({ period: "last_1260" });
  });

  it("says why the comparison failed and tries it again", async () => {
    const backend = installBackend();
    backend.answerQueriesWith(comparisonResult);
    backend.failQueriesWith({ error: "The data store is being updated.", code: "CONFLICT", request_id: "r3" }, 409);
    const { user } = renderApp("/i/NQ");
    const select = await screen.findByLabelText("Compare with");
    await screen.findByRole("option", { name: "ES · E-Mini S&P 500" });
    await user.selectOptions(select, "ES");
    expect(await screen.findByRole("alert")).toHaveTextContent("The data store is being updated.");
    await user.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByText("0.92")).toBeInTheDocument();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("says when the engine's answer is not a comparison", async () => {
    const backend = installBackend();
    const { user } = renderApp("/i/NQ");
    const select = await screen.findByLabelText("Compare with");
    await screen.findByRole("option", { name: "ES · E-Mini S&P 500" });
    await user.selectOptions(select, "ES");
    expect(await screen.findByText("The comparison could not be read.")).toBeInTheDocument();
    expect(backend.queries).toHaveLength(1);
  });
});
