import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { installBackend } from "@/test/fake-backend";
import { renderApp, resetTheAppAroundEachTest } from "@/test/render-app";

resetTheAppAroundEachTest();

describe("sidebar", () => {
  it("lists chats under date groups as real links and filters them by search", async () => {
    installBackend();
    const { user } = renderApp();
    const sidebar = await screen.findByRole("navigation", { name: "Workspace" });
    const gaps = await within(sidebar).findByRole("link", { name: /Gaps in 2024/ });
    expect(gaps).toHaveAttribute("href", "/i/NQ/c/A");
    expect(within(sidebar).getByText("Today")).toBeInTheDocument();
    expect(within(sidebar).getByRole("link", { name: /NQ E-Mini Nasdaq 100/ })).toHaveAttribute("href", "/i/NQ");
    await user.type(within(sidebar).getByLabelText("Search chats"), "friday");
    expect(within(sidebar).queryByRole("link", { name: /Gaps in 2024/ })).toBeNull();
    expect(within(sidebar).getByRole("link", { name: /Friday ranges/ })).toBeInTheDocument();
    await user.clear(within(sidebar).getByLabelText("Search chats"));
    await user.type(within(sidebar).getByLabelText("Search chats"), "nothing like this");
    expect(within(sidebar).getByText("No chat matches your search.")).toBeInTheDocument();
  });

  it("deletes a chat from its always-visible menu, and Undo brings it back without a DELETE", async () => {
    const backend = installBackend();
    const { user } = renderApp();
    const sidebar = await screen.findByRole("navigation", { name: "Workspace" });
    await within(sidebar).findByRole("link", { name: /Gaps in 2024/ });
    await user.click(within(sidebar).getByRole("button", { name: "Actions for Gaps in 2024" }));
    const menu = within(sidebar).getByRole("menu", { name: "Actions for Gaps in 2024" });
    expect(within(menu).getByRole("menuitem", { name: "Rename" })).toHaveFocus();
    await user.click(within(menu).getByRole("menuitem", { name: "Delete" }));
    expect(within(sidebar).queryByRole("link", { name: /Gaps in 2024/ })).toBeNull();
    expect(screen.getByRole("status")).toHaveTextContent("Deleted “Gaps in 2024”.");
    await user.click(screen.getByRole("button", { name: "Undo" }));
    expect(within(sidebar).getByRole("link", { name: /Gaps in 2024/ })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Undo" })).toBeNull();
    expect(backend.calls.filter((c) => c.startsWith("DELETE"))).toEqual([]);
  });
});
