import { act, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { installBackend } from "@/test/fake-backend";
import { renderApp, resetTheAppAroundEachTest } from "@/test/render-app";
import { answerBegins } from "@/test/sse-response";

// jsdom has no canvas: the price chart is exercised by the browser tests instead.
vi.mock("@/components/instrument/price-chart", () => ({ PriceChart: () => <div>price chart</div> }));

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
});
