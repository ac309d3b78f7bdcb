import { cleanup, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "@/app";
import { installBackend, signInLocally } from "@/test/fake-backend";

beforeEach(signInLocally);

afterEach(() => {
  cleanup(); // unmount before the stubs go: the app's effects still read matchMedia while unmounting
  vi.unstubAllGlobals();
  localStorage.clear();
  window.history.pushState({}, "", "/");
});

const queryParam = () => new URLSearchParams(window.location.search).get("q");

describe("query console", () => {
  it("puts the query that ran in the URL", async () => {
    installBackend();
    window.history.pushState({}, "", "/i/NQ/query");
    const user = userEvent.setup();
    render(<App />);
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
    window.history.pushState({}, "", `/i/NQ/query?q=${encodeURIComponent('{"from":"daily","period":"last_3"}')}`);
    render(<App />);
    expect(await screen.findByText("1 row")).toBeInTheDocument();
    expect(screen.getByLabelText("Barb Script (JSON)")).toHaveValue(JSON.stringify({ from: "daily", period: "last_3" }, null, 2));
    await waitFor(() => expect(backend.calls.filter((c) => c === "POST /api/query")).toHaveLength(1));
  });
});
