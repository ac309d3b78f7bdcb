import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { installBackend } from "@/test/fake-backend";
import { renderApp, resetTheAppAroundEachTest } from "@/test/render-app";

resetTheAppAroundEachTest();

const queryParam = () => new URLSearchParams(window.location.search).get("q");

describe("query console", () => {
  it("puts the query that ran in the URL", async () => {
    installBackend();
    const { user } = renderApp("/i/NQ/query");
    const editor = await screen.findByLabelText("Barb Script (JSON)");
    await user.clear(editor);
    await user.paste('{ "from": "daily", "period": "last_5" }');
    await user.click(screen.getByRole("button", { name: "Run query" }));
    expect(await screen.findByText("1 row")).toBeInTheDocument();
    expect(window.location.pathname).toBe("/i/NQ/query");
    expect(queryParam()).toBe('{"from":"daily","period":"last_5"}');
  });

  it("opens a shared link with its query in the editor and its result shown", async () => {
    const backend = installBackend();
    renderApp(`/i/NQ/query?q=${encodeURIComponent('{"from":"daily","period":"last_3"}')}`);
    expect(await screen.findByText("1 row")).toBeInTheDocument();
    expect(screen.getByLabelText("Barb Script (JSON)")).toHaveValue(JSON.stringify({ from: "daily", period: "last_3" }, null, 2));
    await waitFor(() => expect(backend.calls.filter((c) => c === "POST /api/query")).toHaveLength(1));
  });

  it("keeps focus on Run query while it runs, ignores a second press and announces the result", async () => {
    installBackend();
    const backend = fetch;
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let queries = 0;
    vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
      if (new URL(String(input), "http://localhost").pathname !== "/api/query") return backend(input, init);
      queries += 1;
      await gate;
      return backend(input, init);
    });
    const { user } = renderApp("/i/NQ/query");
    const runButton = await screen.findByRole("button", { name: "Run query" });
    runButton.focus();
    await user.keyboard("{Enter}");
    // Busy, but still focusable: a disabled button would have dropped focus to <body>.
    expect(runButton).toHaveAttribute("aria-disabled", "true");
    expect(runButton).not.toBeDisabled();
    expect(runButton).toHaveFocus();
    expect(screen.getByText("Running the query…")).toHaveAttribute("role", "status");
    await user.keyboard("{Enter}");
    await user.click(screen.getByLabelText("Barb Script (JSON)"));
    await user.keyboard("{Control>}{Enter}{/Control}");
    expect(queries).toBe(1);
    release();
    expect(await screen.findByText("Query done: 1 row.")).toHaveAttribute("role", "status");
    expect(runButton).not.toHaveAttribute("aria-disabled");
    expect(queries).toBe(1);
  });

  it("moves focus to Run query when Try again reruns a failed query (the alert and its button go away)", async () => {
    installBackend().failQueriesWith({ error: "The data store is being updated.", code: "CONFLICT", request_id: "r2" }, 409);
    const { user } = renderApp("/i/NQ/query");
    (await screen.findByRole("button", { name: "Run query" })).focus();
    await user.keyboard("{Enter}");
    (await screen.findByRole("button", { name: "Try again" })).focus();
    await user.keyboard("{Enter}");
    expect(await screen.findByText("Query done: 1 row.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Try again" })).toBeNull();
    expect(screen.getByRole("button", { name: "Run query" })).toHaveFocus();
  });

  it("posts a query that reads another instrument as written and names both in the result's source line", async () => {
    const backend = installBackend();
    backend.answerQueriesWith((query) => ({
      kind: "grouped",
      columns: [{ name: "y", type: "integer" }, { name: "corr", type: "number" }],
      rows: [[2023, 0.9266], [2024, 0.9218]],
      source: { bars: "daily-settlement", rows_scanned: 311, period: ["2023-01-03", "2024-03-28"], instruments: ["NQ", "ES"] },
      query,
    }));
    const { user } = renderApp("/i/NQ/query");
    await user.click(await screen.findByRole("button", { name: "NQ/ES correlation by year" }));
    const editor = screen.getByLabelText("Barb Script (JSON)");
    expect(editor).toHaveFocus();
    await user.click(screen.getByRole("button", { name: "Run query" }));
    expect(await screen.findByText(/^2 rows · NQ · ES · 311 bars scanned/)).toBeInTheDocument();
    expect(backend.queries).toEqual([
      {
        instrument: "NQ",
        query: {
          from: "daily",
          map: { r: "change_pct(close)", other: "on('ES', change_pct(close))", y: "year()" },
          group_by: "y",
          select: { corr: "correlation(r, other)" },
        },
      },
    ]);
  });

  it("runs a screen and shows the ranked instruments, each linking to its page", async () => {
    // jsdom does no layout: give the table's scroll area a browser's size, so its virtualizer renders rows.
    vi.spyOn(HTMLElement.prototype, "clientHeight", "get").mockReturnValue(380);
    vi.spyOn(HTMLElement.prototype, "clientWidth", "get").mockReturnValue(800);
    const backend = installBackend();
    backend.answerQueriesWith((query) => ({
      kind: "table",
      columns: [{ name: "rank", type: "integer" }, { name: "instrument", type: "text" }, { name: "vol", type: "number" }],
      rows: [[1, "ES", 1.21], [2, "NQ", 0.9]],
      summary: "Screened 2 instruments; first: ES (vol 1.21).",
      source: { bars: "daily-settlement", rows_scanned: 40, period: null, instruments: ["ES", "NQ"] },
      query,
    }));
    const { user } = renderApp("/i/NQ/query");
    await user.click(await screen.findByRole("button", { name: "Rank instruments by 20-day volatility" }));
    await user.click(screen.getByRole("button", { name: "Run query" }));
    const card = await screen.findByRole("region", { name: "Screen result" });
    expect(within(card).getByText(/^2 rows$/)).toBeInTheDocument();
    expect(screen.getByText(/^2 rows · ES · NQ · 40 bars scanned/)).toBeInTheDocument();
    const rows = within(card).getAllByRole("row").slice(1);
    expect(rows.map((r) => r.textContent)).toEqual(["1ES1.21", "2NQ0.90"]);
    expect(within(rows[0]!).getByRole("link", { name: "ES" })).toHaveAttribute("href", "/i/ES");
    expect(within(rows[1]!).getByRole("link", { name: "NQ" })).toHaveAttribute("href", "/i/NQ");
    expect((backend.queries[0]!.query as { screen: unknown }).screen).toBe("all");
    expect(JSON.parse(queryParam()!)).toMatchObject({ screen: "all", select: { vol: "std(r)" }, sort: "vol desc" });
  });
});
