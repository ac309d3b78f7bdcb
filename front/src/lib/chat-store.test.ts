import { describe, expect, it, vi } from "vitest";
import { ApiClient, type TokenSource } from "@/lib/api";
import type { StoredMessage } from "@/lib/api-types";
import { type ChatApi, ChatStore, type ChatStoreOptions } from "@/lib/chat-store";
import { ApiError } from "@/lib/errors";
import { messageText } from "@/lib/messages";
import { answerBegins, answerDone, controlledSse, type ControlledStream, flush, questionSaved, sseEvent } from "@/test/sse-response";

/** A fake API whose streams the test drives by hand, one per conversation. */
function fakeApi(history: Record<string, StoredMessage[]> = {}) {
  const streams = new Map<string, ControlledStream>();
  const api: ChatApi & { stopChat: ReturnType<typeof vi.fn> } = {
    chatStream: vi.fn(async (id: string) => {
      const stream = controlledSse();
      streams.set(id, stream);
      return stream.response;
    }),
    stopChat: vi.fn(async () => ({})),
    messages: vi.fn(async (id: string) => history[id] ?? []),
    selectVersion: vi.fn(async (id: string) => history[id] ?? []),
  };
  const stream = (id: string) => {
    const s = streams.get(id);
    if (!s) throw new Error(`no stream for ${id}`);
    return s;
  };
  return { api, stream };
}

/** A store on a fake API that has just sent `question` in conversation A, whose stream the test then drives. */
async function sendInA(question: string, { options, history }: { options?: ChatStoreOptions; history?: Record<string, StoredMessage[]> } = {}) {
  const { api, stream } = fakeApi(history);
  const store = new ChatStore(api, options);
  const sending = store.send("A", question);
  await flush();
  return { api, stream, store, sending };
}

const answerText = (store: ChatStore, id: string) =>
  store
    .get(id)
    .messages.filter((m) => m.role === "assistant")
    .map(messageText)
    .join("|");

describe("ChatStore", () => {
  it("streams text, a tool step with its card, and usage into the conversation", async () => {
    // GIVEN a conversation and a stream
    const { store, stream, sending } = await sendInA("Gap fills in 2024?", { options: { now: () => 1000 } });
    // WHEN the server streams a full answer
    const s = stream("A");
    s.push(": connected\n\n" + questionSaved("u1"));
    s.push(sseEvent("text_delta", { delta: "Let me " }) + sseEvent("text_delta", { delta: "check." }));
    s.push(sseEvent("tool_start", { tool_call_id: "t1", tool_name: "run_query", title: "Gap fills in 2024", input: { query: {} } }));
    await flush();
    expect(store.get("A").messages[1]?.parts[1]).toMatchObject({ kind: "tool", step: { status: "running", title: "Gap fills in 2024" } });
    s.push(sseEvent("tool_end", { tool_call_id: "t1", tool_name: "run_query", duration_ms: 42, error: null }));
    s.push(sseEvent("data_block", { tool_call_id: "t1", title: "Gap fills", blocks: [{ type: "table", columns: [], rows: [] }] }));
    s.push(sseEvent("text_delta", { delta: " 61% filled." }));
    s.push(answerDone("a1", "x", "end_turn", { input_tokens: 10, output_tokens: 5, cost_usd: 0.01 }));
    s.push(sseEvent("persist", { message_id: "a1", persisted: true }));
    s.close();
    // THEN
    expect(await sending).toBe(true);
    const [user, answer] = store.get("A").messages;
    expect(user).toMatchObject({ id: "u1", status: "complete" });
    expect(answer).toMatchObject({ id: "a1", status: "complete", usage: { cost_usd: 0.01 } });
    expect(answer?.parts.map((p) => p.kind)).toEqual(["text", "tool", "text"]);
    expect(answer?.parts[1]).toMatchObject({ step: { status: "done", durationMs: 42, card: { title: "Gap fills" } } });
    expect(store.get("A").streaming).toBe(false);
  });

  it("never mixes two conversations' streams, and a background stream finishes while another is shown", async () => {
    const { api, stream } = fakeApi({ B: [{ id: "b0", role: "user", content: "old question" }] });
    const store = new ChatStore(api);
    const a = store.send("A", "question A");
    await flush();
    stream("A").push(answerBegins("ua", "partial A"));
    await flush();
    // The user switches to B while A streams: B loads its own history and can stream on its own.
    await store.load("B");
    const b = store.send("B", "question B");
    await flush();
    stream("B").push(answerBegins("ub", "answer B"));
    stream("A").push(sseEvent("text_delta", { delta: " and more A" }));
    await flush();
    expect(answerText(store, "B")).toBe("answer B");
    expect(store.get("B").messages.map((m) => m.id)).toEqual(["b0", "ub", expect.any(String)]);
    // A was never aborted: coming back shows its full answer.
    stream("A").push(answerDone("aa", ""));
    stream("A").close();
    stream("B").close();
    await Promise.all([a, b]);
    expect(answerText(store, "A")).toBe("partial A and more A");
    expect(store.get("A").messages.every((m) => !messageText(m).includes("B"))).toBe(true);
  });

  it("does not let a history load overwrite a live stream", async () => {
    const { store, stream, sending } = await sendInA("now", { history: { A: [{ id: "h1", role: "user", content: "earlier" }] } });
    stream("A").push(answerBegins("u1", "live"));
    await flush();
    await store.load("A");
    expect(answerText(store, "A")).toBe("live");
    stream("A").close();
    await sending;
  });

  it("merges history that arrives after a stream started instead of replacing it", async () => {
    let resolveHistory!: (m: StoredMessage[]) => void;
    const { api, stream } = fakeApi();
    api.messages = vi.fn(() => new Promise<StoredMessage[]>((r) => (resolveHistory = r)));
    const store = new ChatStore(api);
    const loading = store.load("A");
    const sending = store.send("A", "new question");
    await flush();
    stream("A").push(answerBegins("u2", "streaming"));
    await flush();
    resolveHistory([{ id: "u1", role: "user", content: "old" }, { id: "a1", role: "assistant", content: "old answer" }]);
    await loading;
    expect(store.get("A").messages.map((m) => m.id).slice(0, 3)).toEqual(["u1", "a1", "u2"]);
    expect(answerText(store, "A")).toBe("old answer|streaming");
    stream("A").close();
    await sending;
  });

  it("keeps text typed during streaming", async () => {
    const { api, stream } = fakeApi();
    const store = new ChatStore(api);
    store.setDraft("A", "first question");
    const sending = store.send("A", "first question");
    expect(store.get("A").draft).toBe("");
    store.setDraft("A", "follow-up I am typing");
    expect(await store.send("A", "follow-up I am typing")).toBe(false);
    await flush();
    stream("A").push(questionSaved("u1") + answerDone("a1", "ok"));
    stream("A").close();
    await sending;
    expect(store.get("A").draft).toBe("follow-up I am typing");
  });

  it("puts the question back in the box with the error sentence when sending fails", async () => {
    const { api } = fakeApi();
    api.chatStream = vi.fn(async () => {
      throw new ApiError("You are sending messages too fast. Try again in a minute.", { status: 429, code: "RATE_LIMITED" });
    });
    const store = new ChatStore(api);
    store.setDraft("A", "my careful question");
    expect(await store.send("A", "my careful question")).toBe(false);
    const state = store.get("A");
    expect(state.draft).toBe("my careful question");
    expect(state.sendError).toBe("You are sending messages too fast. Try again in a minute.");
    expect(state.messages).toEqual([]);
    expect(state.streaming).toBe(false);
  });

  it("restores the question when the stream errors before the question was saved", async () => {
    const { store, stream, sending } = await sendInA("question");
    stream("A").push(sseEvent("error", { error: "The assistant is not configured.", code: "LLM_UNAVAILABLE", retryable: false }));
    stream("A").close();
    expect(await sending).toBe(false);
    expect(store.get("A")).toMatchObject({ draft: "question", sendError: "The assistant is not configured.", messages: [] });
  });

  it("keeps the partial answer with the error when the stream fails after the question was saved", async () => {
    const { store, stream, sending } = await sendInA("q");
    stream("A").push(answerBegins("u1", "half"));
    stream("A").push(sseEvent("error", { error: "The model stopped responding.", code: "LLM_ERROR", retryable: true }));
    stream("A").close();
    expect(await sending).toBe(true);
    const answer = store.get("A").messages[1];
    expect(answer).toMatchObject({ status: "error", error: "The model stopped responding." });
    expect(messageText(answer!)).toBe("half");
  });

  it("stops through the API and keeps what was produced", async () => {
    const { api, store, stream, sending } = await sendInA("q");
    stream("A").push(answerBegins("u1", "so far"));
    await flush();
    await store.stop("A");
    expect(api.stopChat).toHaveBeenCalledWith("A");
    expect(store.get("A").stopping).toBe(true);
    stream("A").push(answerDone("a1", "so far", "stopped"));
    stream("A").close();
    await sending;
    expect(store.get("A").messages[1]).toMatchObject({ status: "stopped" });
    expect(store.get("A")).toMatchObject({ streaming: false, stopping: false });
  });

  it("cuts the stream locally when the server does not end it after Stop", async () => {
    vi.useFakeTimers();
    try {
      const { api, stream } = fakeApi();
      const store = new ChatStore(api, { stopGraceMs: 100 });
      const sending = store.send("A", "q");
      await vi.advanceTimersByTimeAsync(0);
      stream("A").push(answerBegins("u1", "partial"));
      await vi.advanceTimersByTimeAsync(0);
      await store.stop("A");
      await vi.advanceTimersByTimeAsync(150);
      await sending;
      expect(store.get("A").messages[1]).toMatchObject({ status: "stopped" });
      expect(store.get("A").streaming).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it("marks a running tool step done when the query returned no card", async () => {
    const { store, stream, sending } = await sendInA("q", { options: { now: () => 5 } });
    const s = stream("A");
    s.push(questionSaved("u1"));
    s.push(sseEvent("tool_start", { tool_call_id: "t1", tool_name: "run_query", title: "Empty", input: {} }));
    s.push(answerDone("a1", "No rows."));
    s.close();
    await sending;
    expect(store.get("A").messages[1]?.parts[0]).toMatchObject({ step: { status: "done", card: null } });
  });

  it("regenerates an answer as a new version: the question is not asked twice, and the versions are read back", async () => {
    // GIVEN a stored question and answer
    const history: Record<string, StoredMessage[]> = { A: [{ id: "u1", role: "user", content: "why?" }, { id: "a1", role: "assistant", content: "because", reply_to: "u1" }] };
    const { api, stream } = fakeApi(history);
    const store = new ChatStore(api);
    await store.load("A");
    // WHEN the answer is regenerated
    const again = store.regenerate("A", "a1");
    await flush();
    // THEN the stored question is answered again, under its own message, without a copy of it
    expect(api.chatStream).toHaveBeenCalledWith("A", { revises: "u1" }, expect.any(AbortSignal));
    expect(store.get("A").messages.map((m) => m.id)).toEqual(["u1"]);
    history.A = [history.A![0]!, { id: "a2", role: "assistant", content: "since", reply_to: "u1", versions: ["a1", "a2"] }];
    stream("A").push(answerBegins("u1", "since"));
    stream("A").push(answerDone("a2", "since") + sseEvent("persist", { message_id: "a2", persisted: true }));
    stream("A").close();
    expect(await again).toBe(true);
    await flush();
    expect(store.get("A").messages.map((m) => [m.id, m.versions])).toEqual([
      ["u1", ["u1"]],
      ["a2", ["a1", "a2"]],
    ]);
  });

  it("edits a question as a new version that replaces it and what followed on screen", async () => {
    const { api, stream } = fakeApi({
      A: [
        { id: "u1", role: "user", content: "first" },
        { id: "a1", role: "assistant", content: "one" },
        { id: "u2", role: "user", content: "second" },
        { id: "a2", role: "assistant", content: "two" },
      ],
    });
    const store = new ChatStore(api);
    await store.load("A");
    const sending = store.edit("A", "u2", "  second, better  ");
    await flush();
    expect(api.chatStream).toHaveBeenCalledWith("A", { message: "second, better", revises: "u2" }, expect.any(AbortSignal));
    expect(store.get("A").messages.map((m) => (m.role === "user" ? messageText(m) : m.id))).toEqual(["first", "a1", "second, better"]);
    stream("A").push(questionSaved("u3") + answerDone("a3", "better"));
    stream("A").close();
    expect(await sending).toBe(true);
    // A local question cannot be revised, nor can an empty edit be sent.
    expect(await store.edit("A", "u1", "   ")).toBe(false);
    expect(await store.edit("A", "local-user-1", "x")).toBe(false);
  });

  it("puts back the conversation and the edited text when an edit is refused", async () => {
    const { api } = fakeApi({ A: [{ id: "u1", role: "user", content: "first" }, { id: "a1", role: "assistant", content: "one" }] });
    api.chatStream = vi.fn(async () => {
      throw new ApiError("An answer is being written.", { status: 409, code: "ANSWER_RUNNING", requestId: "r" });
    });
    const store = new ChatStore(api);
    await store.load("A");
    expect(await store.edit("A", "u1", "first, edited")).toBe(false);
    expect(store.get("A").messages.map((m) => m.id)).toEqual(["u1", "a1"]);
    expect(store.get("A").draft).toBe("first, edited");
    expect(store.get("A").sendError).toBe("An answer is being written.");
  });

  it("shows the version the server returns when one is selected", async () => {
    const { api } = fakeApi({ A: [{ id: "u1", role: "user", content: "q" }, { id: "a2", role: "assistant", content: "new", versions: ["a1", "a2"] }] });
    api.selectVersion = vi.fn(async () => [
      { id: "u1", role: "user" as const, content: "q" },
      { id: "a1", role: "assistant" as const, content: "old", versions: ["a1", "a2"] },
    ]);
    const store = new ChatStore(api);
    await store.load("A");
    await store.selectVersion("A", "a1");
    expect(api.selectVersion).toHaveBeenCalledWith("A", "a1");
    expect(answerText(store, "A")).toBe("old");
  });

  it("takes the stored path when it went elsewhere than this session's streamed messages", async () => {
    const history: Record<string, StoredMessage[]> = { A: [] };
    const { api, stream } = fakeApi(history);
    const store = new ChatStore(api);
    await store.load("A");
    const sending = store.send("A", "q");
    await flush();
    stream("A").push(questionSaved("u1") + answerDone("a1", "live answer"));
    stream("A").close();
    await sending;
    // Another tab edited the question: the server's path now starts with u2, with u1 as a version.
    history.A = [
      { id: "u2", role: "user", content: "q, edited", versions: ["u1", "u2"] },
      { id: "a2", role: "assistant", content: "other" },
    ];
    await store.load("A");
    expect(store.get("A").messages.map((m) => m.id)).toEqual(["u2", "a2"]);
  });

  it("reports the title update to the workspace", async () => {
    const onTitle = vi.fn();
    const { stream, sending } = await sendInA("q", { options: { onTitle } });
    stream("A").push(questionSaved("u1") + sseEvent("title_update", { title: "Gap fills" }));
    stream("A").close();
    await sending;
    expect(onTitle).toHaveBeenCalledWith("A", "Gap fills");
  });

  it("survives a token refresh mid-stream: the stream keeps going and later calls use the new token", async () => {
    // GIVEN a real API client whose token source refreshes while the answer streams
    let token = "token-1";
    const tokens: TokenSource = { getToken: async () => token, onUnauthorized: vi.fn() };
    const s = controlledSse();
    const seen: string[] = [];
    const fetchMock = vi.fn(async (url: string, init?: RequestInit) => {
      seen.push(`${url} ${(init?.headers as Record<string, string>).Authorization}`);
      if (url.endsWith("/api/chat/stream")) return s.response;
      return new Response("{}", { status: 200 });
    });
    const api = new ApiClient({ baseUrl: "", tokens, fetch: fetchMock as unknown as typeof fetch, retryDelays: [] });
    const store = new ChatStore(api);
    const sending = store.send("A", "q");
    await flush();
    s.push(answerBegins("u1", "before "));
    await flush();
    // WHEN the token changes mid-stream
    token = "token-2";
    s.push(sseEvent("text_delta", { delta: "after" }));
    await store.stop("A");
    s.push(answerDone("a1", ""));
    s.close();
    await sending;
    // THEN the answer is whole and the stop request carried the fresh token
    expect(answerText(store, "A")).toBe("before after");
    expect(seen).toEqual(["/api/chat/stream Bearer token-1", "/api/chat/A/stop Bearer token-2"]);
    expect(tokens.onUnauthorized).not.toHaveBeenCalled();
  });

  it("forgets everything and aborts streams on reset", async () => {
    const { store, sending } = await sendInA("q");
    store.reset();
    await sending;
    expect(store.get("A").messages).toEqual([]);
    expect(store.isStreaming("A")).toBe(false);
  });
});

describe("ChatStore history revalidation", () => {
  it("marks a conversation the server does not have as missing, and other failures as errors", async () => {
    const { api } = fakeApi();
    api.messages = vi.fn(async (id: string) => {
      throw new ApiError(id === "gone" ? "Conversation 'gone' not found." : "The server ran into a problem.", { status: id === "gone" ? 404 : 500, code: "X" });
    });
    const store = new ChatStore(api);
    await store.load("gone");
    await store.load("flaky");
    expect(store.get("gone").load).toBe("missing");
    expect(store.get("flaky")).toMatchObject({ load: "error", loadError: "The server ran into a problem." });
  });

  it("keeps a finished answer that a stale history read does not contain yet", async () => {
    const { api, stream } = fakeApi({ A: [{ id: "h1", role: "user", content: "earlier" }] });
    const store = new ChatStore(api);
    await store.load("A");
    const sending = store.send("A", "new");
    await flush();
    stream("A").push(answerBegins("u2", "fresh"));
    stream("A").push(answerDone("a2", "fresh"));
    stream("A").close();
    await sending;
    await store.load("A");
    expect(store.get("A").messages.map((m) => m.id)).toEqual(["h1", "u2", "a2"]);
  });

  it("does not duplicate messages the history already has", async () => {
    const history: Record<string, StoredMessage[]> = { A: [] };
    const { store, stream, sending } = await sendInA("q", { history });
    stream("A").push(questionSaved("u1") + answerDone("a1", "x"));
    stream("A").close();
    await sending;
    history.A = [{ id: "u1", role: "user", content: "q" }, { id: "a1", role: "assistant", content: "x" }];
    await store.load("A");
    expect(store.get("A").messages.map((m) => m.id)).toEqual(["u1", "a1"]);
  });
});

describe("ChatStore after a dropped connection", () => {
  it("fetches the answer the server saved once the stream was cut after the question was stored", async () => {
    const { api, stream } = fakeApi();
    const question: StoredMessage = { id: "u1", role: "user", content: "q" };
    // The first re-read finds nothing yet; the second finds the stored answer.
    api.messages = vi
      .fn()
      .mockResolvedValueOnce([question])
      .mockResolvedValueOnce([question, { id: "a1", role: "assistant", content: "The full answer." }]);
    const store = new ChatStore(api, { recoverDelaysMs: [0, 0] });
    const sending = store.send("A", "q");
    await flush();
    stream("A").push(answerBegins("u1", "part"));
    stream("A").close();
    await sending;
    expect(store.get("A").messages[1]).toMatchObject({ status: "error", error: "The connection was lost. Looking for the saved answer…" });
    await flush(10);
    expect(api.messages).toHaveBeenCalledTimes(2);
    const answer = store.get("A").messages[1];
    expect(answer).toMatchObject({ id: "a1", status: "complete", error: null });
    expect(messageText(answer!)).toBe("The full answer.");
  });

  it("says so when the saved answer never shows up", async () => {
    const { store, stream, sending } = await sendInA("q", { options: { recoverDelaysMs: [0] } });
    stream("A").push(questionSaved("u1"));
    stream("A").fail(new TypeError("network error"));
    await sending;
    await flush(10);
    expect(store.get("A").messages[1]?.error).toBe("The connection was lost before the answer finished. Reload later to see it.");
  });

  it("does not show a cut-off answer twice once the history has the saved one", async () => {
    const history: Record<string, StoredMessage[]> = { A: [] };
    const { store, stream, sending } = await sendInA("q", { options: { recoverDelaysMs: [60_000] }, history });
    stream("A").push(answerBegins("u1", "part"));
    stream("A").close();
    await sending;
    history.A = [{ id: "u1", role: "user", content: "q" }, { id: "a1", role: "assistant", content: "The full answer." }];
    await store.load("A");
    expect(store.get("A").messages.map((m) => m.id)).toEqual(["u1", "a1"]);
  });
});
