import { act, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { installBackend } from "@/test/fake-backend";
import { renderApp, resetTheAppAroundEachTest } from "@/test/render-app";
import { answerBegins, answerDone, questionSaved, sseEvent } from "@/test/sse-response";

resetTheAppAroundEachTest();

type Backend = ReturnType<typeof installBackend>;
type User = ReturnType<typeof renderApp>["user"];

/** Asks `question` in the question box, and the server starts the answer with `text`; returns the box. */
async function askAndStart(user: User, backend: Backend, question: string, text: string) {
  const box = await screen.findByLabelText("Your question");
  await user.type(box, `${question}{Enter}`);
  await waitFor(() => expect(backend.streams).toHaveLength(1));
  act(() => backend.streams[0]!.push(answerBegins("a1", text)));
  return box;
}

/** The server sends `events` on the first stream, then ends it. */
function endStream(backend: Backend, events: string) {
  act(() => {
    backend.streams[0]!.push(events);
    backend.streams[0]!.close();
  });
}

/** Esc stops the answer in A: the stop request goes out, the server ends the stream as stopped, the page says so. */
async function stopWithEscape(user: User, backend: Backend) {
  await user.keyboard("{Escape}");
  await waitFor(() => expect(backend.calls).toContain("POST /api/chat/A/stop"));
  endStream(backend, answerDone("a2", "Working", "stopped"));
  await screen.findByText("Stopped. What was written so far is kept.");
}

describe("chat page", () => {
  it("keeps a stream in its own conversation while you look at another, and shows it when you come back", async () => {
    // GIVEN conversation A is open and answering
    const backend = installBackend();
    const { user } = renderApp("/i/NQ/c/A");
    await askAndStart(user, backend, "How often do gaps fill?", "Streaming in A");
    await screen.findByText("Streaming in A");

    // WHEN the user opens B from the sidebar while A still streams
    const sidebar = screen.getByRole("navigation", { name: "Workspace" });
    await user.click(within(sidebar).getByRole("link", { name: /Friday ranges/ }));
    await screen.findByText("Old answer in B");
    act(() => backend.streams[0]!.push(sseEvent("text_delta", { delta: " and finished." })));

    // THEN B shows only B, with a question box of its own
    expect(screen.queryByText(/Streaming in A/)).toBeNull();
    expect(screen.getByLabelText("Your question")).toHaveValue("");

    // AND back in A the whole answer is there
    endStream(backend, answerDone("a2", "", "end_turn", { input_tokens: 10, output_tokens: 4, cost_usd: 0.002 }));
    await user.click(within(sidebar).getByRole("link", { name: /Gaps in 2024/ }));
    await screen.findByText("Streaming in A and finished.");
    expect(screen.queryByText("Old answer in B")).toBeNull();
    expect(await screen.findByText(/\$0\.0020/)).toBeInTheDocument();
  });

  it("keeps what you type while an answer streams, and Esc stops it", async () => {
    const backend = installBackend();
    const { user } = renderApp("/i/NQ/c/A");
    const box = await askAndStart(user, backend, "First", "Working");
    await user.type(box, "Next question{Enter}");
    expect(box).toHaveValue("Next question");
    await stopWithEscape(user, backend);
    expect(box).toHaveValue("Next question");
    // ↑ in an empty box brings back the last question for editing.
    await user.clear(box);
    await user.keyboard("{ArrowUp}");
    expect(box).toHaveValue("First");
  });

  it("streams from the chat_stream_url that /api/config names, and stops through the API", async () => {
    // GIVEN the config points the chat stream at a Lambda Function URL
    const backend = installBackend({ chat_stream_url: "https://xyz.lambda-url.eu-central-1.on.aws/" });
    const { user } = renderApp("/i/NQ/c/A");

    // WHEN the user asks, then stops the answer
    await askAndStart(user, backend, "First", "Working");
    await screen.findByText("Working");
    await stopWithEscape(user, backend);

    // THEN only the stream went to the Function URL
    const chat = backend.urls.filter((u) => u.includes("/api/chat/"));
    expect(chat).toEqual(["POST https://xyz.lambda-url.eu-central-1.on.aws/api/chat/stream", "POST http://localhost/api/chat/A/stop"]);
    expect(backend.urls.filter((u) => u.includes("lambda-url"))).toHaveLength(1);
  });
});

describe("versions of answers and questions", () => {
  it("steps between an answer's versions, regenerates and edits without repeating the question", async () => {
    // GIVEN a conversation whose answer was regenerated once
    const backend = installBackend();
    const { user } = renderApp("/i/NQ/c/V");
    await screen.findByText("Friday, in the second answer.");
    const versions = screen.getByRole("group", { name: "Versions of this answer" });
    expect(within(versions).getByLabelText("Version 2 of 2")).toBeInTheDocument();
    expect(within(versions).getByRole("button", { name: "Next version of this answer" })).toBeDisabled();

    // WHEN the user steps back to the first answer
    await user.click(within(versions).getByRole("button", { name: "Previous version of this answer" }));
    // THEN it is shown in place, the question once
    await screen.findByText("Monday, in the first answer.");
    expect(screen.queryByText("Friday, in the second answer.")).toBeNull();
    expect(screen.getAllByText("Which day is widest?")).toHaveLength(1);
    expect(screen.getByLabelText("Version 1 of 2")).toBeInTheDocument();

    // WHEN the answer is regenerated: the stored question is answered again, not sent again
    await user.click(screen.getByRole("button", { name: "Regenerate the answer" }));
    await waitFor(() => expect(backend.asked).toEqual([{ conversation_id: "V", revises: "v1" }]));
    expect(screen.getAllByText("Which day is widest?")).toHaveLength(1);
    endStream(backend, questionSaved("v1") + answerDone("v4", "Thursday."));
    await screen.findByText("Thursday.");

    // WHEN the question is edited in place, from the keyboard
    await user.click(screen.getByRole("button", { name: "Edit this question" }));
    const editor = screen.getByRole("textbox", { name: "Edit your question" });
    expect(editor).toHaveFocus();
    await user.clear(editor);
    await user.keyboard("Which weekday is widest?{Enter}");
    // THEN it goes as a new version of that question, and its old answer leaves the screen
    await waitFor(() => expect(backend.asked).toHaveLength(2));
    expect(backend.asked[1]).toEqual({ conversation_id: "V", message: "Which weekday is widest?", revises: "v1" });
    expect(screen.queryByText("Thursday.")).toBeNull();
    expect(screen.getByText("Which weekday is widest?")).toBeInTheDocument();
  });

  it("cancels an edit with Escape and gives focus back to its button", async () => {
    installBackend();
    const { user } = renderApp("/i/NQ/c/V");
    await screen.findByText("Friday, in the second answer.");
    await user.click(screen.getByRole("button", { name: "Edit this question" }));
    await user.keyboard(" (typed)");
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("textbox", { name: "Edit your question" })).toBeNull();
    expect(screen.getByText("Which day is widest?")).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole("button", { name: "Edit this question" })).toHaveFocus());
  });
});

describe("a chat that does not exist", () => {
  it("says so once, offers no retry for the 404 and no question box", async () => {
    installBackend();
    renderApp("/i/NQ/c/nosuchchat");
    expect(await screen.findByRole("heading", { name: "Chat not found" })).toBeInTheDocument();
    await waitFor(() => expect(document.title).toBe("Chat not found · NQ · Barb"));
    const main = screen.getByRole("main");
    expect(within(main).getAllByText(/not found/i)).toHaveLength(1);
    expect(screen.queryByRole("button", { name: "Try again" })).toBeNull();
    expect(screen.queryByRole("alert")).toBeNull();
    expect(screen.queryByLabelText("Your question")).toBeNull();
    expect(within(main).getByRole("link", { name: "Go to NQ" })).toHaveAttribute("href", "/i/NQ");
  });
});
