import { screen, waitFor } from "@testing-library/react";
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
    installBackend();
    const backend = fetch;
    let failures = 1;
    vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
      if (new URL(String(input), "http://localhost").pathname === "/api/query" && failures-- > 0) {
        return new Response(JSON.stringify({ error: "The data store is being updated.", code: "CONFLICT", request_id: "r2" }), { status: 409, headers: { "Content-Type": "application/json" } });
      }
      return backend(input, init);
    });
    const { user } = renderApp("/i/NQ/query");
    (await screen.findByRole("button", { name: "Run query" })).focus();
    await user.keyboard("{Enter}");
    (await screen.findByRole("button", { name: "Try again" })).focus();
    await user.keyboard("{Enter}");
    expect(await screen.findByText("Query done: 1 row.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Try again" })).toBeNull();
    expect(screen.getByRole("button", { name: "Run query" })).toHaveFocus();
  });
});
