import { act, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "@/app";
import { installBackend, signInLocally } from "@/test/fake-backend";
import { sseEvent } from "@/test/sse-response";

// jsdom has no canvas: the price chart is exercised by the browser tests instead.
vi.mock("@/components/instrument/price-chart", () => ({ PriceChart: () => <div>price chart</div> }));

beforeEach(signInLocally);

afterEach(() => {
  vi.unstubAllGlobals();
  localStorage.clear();
  window.history.pushState({}, "", "/");
});

describe("instrument page", () => {
  it("keeps the question in the box with the reason when the chat cannot be created", async () => {
    const backend = installBackend();
    backend.failCreateWith({ error: "The service is busy. Try again shortly.", code: "UNAVAILABLE", request_id: "r1" }, 503);
    window.history.pushState({}, "", "/i/NQ");
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("price chart");
    const box = screen.getByLabelText("Your question");
    await user.type(box, "Gap fills in 2024?{Enter}");
    expect(await screen.findByRole("alert")).toHaveTextContent("The service is busy. Try again shortly.");
    expect(box).toHaveValue("Gap fills in 2024?");
    expect(window.location.pathname).toBe("/i/NQ");
  });

  it("starts a chat: creates the conversation, opens it and streams the answer there", async () => {
    const backend = installBackend();
    window.history.pushState({}, "", "/i/NQ");
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("price chart");
    await user.type(screen.getByLabelText("Your question"), "Gap fills in 2024?{Enter}");
    await waitFor(() => expect(window.location.pathname).toBe("/i/NQ/c/N"));
    await waitFor(() => expect(backend.streams).toHaveLength(1));
    act(() => backend.streams[0]!.push(sseEvent("message_saved", { message_id: "m1" }) + sseEvent("text_delta", { delta: "Looking at gaps" })));
    expect(await screen.findByText("Looking at gaps")).toBeInTheDocument();
    expect(screen.getByRole("log", { name: "Conversation" })).toHaveTextContent("Gap fills in 2024?");
    act(() => backend.streams[0]!.close());
    await screen.findByRole("button", { name: "Send (Enter)" });
  });

  it("says an unknown symbol is not in the catalogue, with no suggestions and no question box", async () => {
    installBackend();
    window.history.pushState({}, "", "/i/ZZZ");
    render(<App />);
    expect(await screen.findByRole("heading", { name: "No instrument called ZZZ" })).toBeInTheDocument();
    expect(screen.queryByRole("alert")).toBeNull();
    expect(screen.queryByText(/How often did ZZZ/)).toBeNull();
    expect(screen.queryByLabelText("Your question")).toBeNull();
    expect(screen.queryByText("price chart")).toBeNull();
  });

  it("says an instrument without bars has no data yet and how to import them, instead of offering questions", async () => {
    installBackend();
    window.history.pushState({}, "", "/i/6A");
    render(<App />);
    expect(await screen.findByRole("heading", { name: "No data for 6A yet" })).toBeInTheDocument();
    expect(screen.getByLabelText("Import command")).toHaveTextContent("barb import FILE --symbol 6A");
    expect(screen.getByText("Australian Dollar")).toBeInTheDocument();
    expect(screen.queryByText(/How often did 6A/)).toBeNull();
    expect(screen.queryByLabelText("Your question")).toBeNull();
    expect(screen.queryByText("price chart")).toBeNull();
  });
});
