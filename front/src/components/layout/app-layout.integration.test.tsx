import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { PHONE_QUERY } from "@/hooks/use-media-query";
import { installBackend } from "@/test/fake-backend";
import { renderApp, resetTheAppAroundEachTest } from "@/test/render-app";

// jsdom has no canvas: the price chart is exercised by its own test and the browser tests.
vi.mock("@/components/instrument/price-chart", () => ({ PriceChart: () => <div>price chart</div> }));

resetTheAppAroundEachTest();

const onPhone = () =>
  vi.stubGlobal("matchMedia", (query: string) => ({ matches: query === PHONE_QUERY, media: query, addEventListener: () => undefined, removeEventListener: () => undefined }));

/** ⌘/Ctrl+K, then waits for the (lazy) palette to take focus, so what is typed next goes to it. */
async function openPalette(user: ReturnType<typeof userEvent.setup>) {
  await user.keyboard("{Control>}k{/Control}");
  await waitFor(() => expect(screen.getByRole("combobox", { name: "Search instruments, chats and actions" })).toHaveFocus());
}

describe("focus after the command palette navigates", () => {
  it("lands on the new page's heading, or on the question box the chat page focuses", async () => {
    installBackend();
    const { user } = renderApp("/i/NQ/query");
    await user.click(await screen.findByLabelText("Barb Script (JSON)"));

    await openPalette(user);
    await user.keyboard("nasdaq");
    await waitFor(() => expect(screen.getAllByRole("option")[0]).toHaveTextContent(/^NQ · /));
    await user.keyboard("{Enter}");
    const heading = await screen.findByRole("heading", { level: 1, name: /^NQ/ });
    await waitFor(() => expect(heading).toHaveFocus());
    expect(window.location.pathname).toBe("/i/NQ");
    expect(heading).toHaveAttribute("tabindex", "-1");

    await openPalette(user);
    await user.keyboard("friday");
    await screen.findByRole("option", { name: /Friday ranges/ });
    await user.keyboard("{Enter}");
    await waitFor(() => expect(window.location.pathname).toBe("/i/NQ/c/B"));
    await waitFor(() => expect(screen.getByLabelText("Your question")).toHaveFocus());
  });
});

describe("the phone drawer", () => {
  it("keeps Tab inside while open, and Escape closes it with focus back on its button", async () => {
    onPhone();
    installBackend();
    const { user } = renderApp("/i/NQ");
    const opener = await screen.findByRole("button", { name: "Open sidebar" });
    opener.focus();
    await user.keyboard("{Enter}");
    const sidebar = screen.getByRole("navigation", { name: "Workspace" });
    expect(within(sidebar).getByRole("button", { name: "Close sidebar" })).toHaveFocus();
    // The rest of the app is inert behind the drawer, as behind a modal.
    expect(document.getElementById("main")).toHaveAttribute("inert");

    const first = within(sidebar).getByRole("link", { name: "Barb" });
    const last = within(sidebar).getByRole("button", { name: "Sign out" });
    await user.tab({ shift: true });
    await user.tab({ shift: true });
    expect(first).toHaveFocus();
    await user.tab({ shift: true });
    expect(last, "Shift+Tab on the first control wraps to the last").toHaveFocus();
    await user.tab();
    expect(first, "Tab on the last control wraps to the first").toHaveFocus();

    await user.keyboard("{Escape}");
    expect(sidebar).not.toHaveClass("open");
    expect(opener).toHaveFocus();
    expect(document.getElementById("main")).not.toHaveAttribute("inert");
  });

  it("puts focus on the new page when a link in it navigates (the link is hidden with the drawer)", async () => {
    onPhone();
    installBackend();
    const { user } = renderApp("/i/NQ/c/B");
    (await screen.findByRole("button", { name: "Open sidebar" })).focus();
    await user.keyboard("{Enter}");
    const sidebar = screen.getByRole("navigation", { name: "Workspace" });
    (await within(sidebar).findByRole("link", { name: /NQ E-Mini Nasdaq 100/ })).focus();
    await user.keyboard("{Enter}");
    await waitFor(() => expect(window.location.pathname).toBe("/i/NQ"));
    expect(sidebar).not.toHaveClass("open");
    await waitFor(() => expect(screen.getByRole("heading", { level: 1, name: /^NQ/ })).toHaveFocus());
  });
});
