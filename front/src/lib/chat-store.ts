import type { ChatAsk, StoredMessage } from "@/lib/api-types";
import { toChatEvent } from "@/lib/chat-events";
import { isAbort, isNotFound, userMessage } from "@/lib/errors";
import { isLocal, localId, mergeHistory, StreamRun } from "@/lib/chat-stream";
import { type ChatMessage, fromStored } from "@/lib/messages";
import { readSse } from "@/lib/sse";

/** What the chat store needs from the API client (the real `ApiClient` satisfies it; tests pass fakes). */
export interface ChatApi {
  chatStream(conversationId: string, ask: ChatAsk, signal?: AbortSignal): Promise<Response>;
  stopChat(conversationId: string): Promise<unknown>;
  messages(conversationId: string, signal?: AbortSignal): Promise<StoredMessage[]>;
  selectVersion(conversationId: string, messageId: string): Promise<StoredMessage[]>;
}

export interface ConversationState {
  /** `missing`: the server has no such conversation (404: never existed, deleted, or someone else's). */
  load: "idle" | "loading" | "ready" | "error" | "missing";
  loadError: string | null;
  messages: ChatMessage[];
  streaming: boolean;
  stopping: boolean;
  /** The composer's text: it belongs to the conversation, so typing during a stream or a failed send never loses it. */
  draft: string;
  sendError: string | null;
}

export interface ChatStoreOptions {
  now?: () => number;
  onTitle?: (conversationId: string, title: string) => void;
  onSettled?: (conversationId: string) => void;
  /** How long Stop waits for the server to end the stream before cutting it locally. */
  stopGraceMs?: number;
  /** When a stream is cut after the question was saved, re-read the history after these delays for the answer. */
  recoverDelaysMs?: number[];
}

const EMPTY: ConversationState = Object.freeze({
  load: "idle",
  loadError: null,
  messages: [],
  streaming: false,
  stopping: false,
  draft: "",
  sendError: null,
}) as ConversationState;


/**
 * The chat state machine, one entry per conversation and independent of React and of the route on screen.
 *
 * A stream belongs to its conversation: switching to another conversation neither aborts it nor mixes its events
 * into the other one, and its result is there when you come back. History loads never overwrite a live stream.
 */
export class ChatStore {
  private readonly states = new Map<string, ConversationState>();
  private readonly streams = new Map<string, AbortController>();
  private readonly loads = new Map<string, AbortController>();
  /** Bumped by reset(): a stream from before a sign-out must not write into the next session. */
  private generation = 0;
  private readonly listeners = new Set<() => void>();
  private readonly now: () => number;

  constructor(
    private readonly api: ChatApi,
    private readonly options: ChatStoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  get = (conversationId: string): ConversationState => this.states.get(conversationId) ?? EMPTY;

  isStreaming(conversationId: string): boolean {
    return this.streams.has(conversationId);
  }

  setDraft(conversationId: string, draft: string): void {
    this.update(conversationId, (s) => ({ ...s, draft }));
  }

  clearSendError(conversationId: string): void {
    this.update(conversationId, (s) => ({ ...s, sendError: null }));
  }

  /**
   * Loads (or revalidates) the history. Messages streamed in this session that the server did not return (yet)
   * are kept after the stored ones, so a live or just-finished answer is never lost to a slow or stale read.
   */
  async load(conversationId: string): Promise<void> {
    if (this.streams.has(conversationId) && this.get(conversationId).load === "ready") return;
    this.loads.get(conversationId)?.abort();
    const controller = new AbortController();
    this.loads.set(conversationId, controller);
    this.update(conversationId, (s) => ({ ...s, load: s.load === "ready" ? "ready" : "loading", loadError: null }));
    try {
      const stored = (await this.api.messages(conversationId, controller.signal)).map(fromStored);
      if (controller.signal.aborted) return;
      this.update(conversationId, (s) => ({ ...s, load: "ready", messages: mergeHistory(stored, s.messages) }));
    } catch (error) {
      if (controller.signal.aborted) return;
      this.update(conversationId, (s) => ({
        ...s,
        load: isNotFound(error) ? "missing" : s.messages.length > 0 ? "ready" : "error",
        loadError: userMessage(error),
      }));
    } finally {
      if (this.loads.get(conversationId) === controller) this.loads.delete(conversationId);
    }
  }

  /**
   * Sends a question and streams the answer. Returns false when nothing was sent (already streaming, empty text,
   * or the request failed before the question was saved: then the text is back in the draft with the error).
   */
  send(conversationId: string, rawText: string): Promise<boolean> {
    const text = rawText.trim();
    return text ? this.ask(conversationId, { message: text }, (messages) => messages) : Promise.resolve(false);
  }

  /**
   * Sends `rawText` as a new version of the stored question `questionId` (edit): the conversation continues from
   * it, and the earlier wording with its answers stays one version away. Same result as `send`.
   */
  edit(conversationId: string, questionId: string, rawText: string): Promise<boolean> {
    const text = rawText.trim();
    const at = this.get(conversationId).messages.findIndex((m) => m.id === questionId && m.role === "user");
    if (!text || at === -1 || isLocal(questionId)) return Promise.resolve(false);
    return this.ask(conversationId, { message: text, revises: questionId }, (messages) => messages.slice(0, at));
  }

  /** Answers the question before `answerId` (default: the last answer) again; the earlier answer stays a version. */
  regenerate(conversationId: string, answerId?: string): Promise<boolean> {
    const messages = this.get(conversationId).messages;
    const at = answerId === undefined ? messages.findLastIndex((m) => m.role === "assistant") : messages.findIndex((m) => m.id === answerId);
    const questionAt = messages.slice(0, Math.max(at, 0)).findLastIndex((m) => m.role === "user");
    const question = messages[questionAt];
    if (at === -1 || !question || isLocal(question.id)) return Promise.resolve(false);
    return this.ask(conversationId, { revises: question.id }, (ms) => ms.slice(0, questionAt + 1), question.id);
  }

  /** Shows another version of a message (and what follows it); the other versions stay where they are. */
  async selectVersion(conversationId: string, messageId: string): Promise<void> {
    if (this.streams.has(conversationId)) return;
    const generation = this.generation;
    try {
      const stored = (await this.api.selectVersion(conversationId, messageId)).map(fromStored);
      if (generation === this.generation && !this.streams.has(conversationId)) this.update(conversationId, (s) => ({ ...s, messages: stored, sendError: null }));
    } catch (error) {
      if (generation === this.generation) this.update(conversationId, (s) => ({ ...s, sendError: userMessage(error) }));
    }
  }

  /**
   * Streams one answer. `base` picks the messages the new turn follows (all of them for a new question, those
   * before the edited question, up to the regenerated one); `questionId` names a stored question answered again.
   */
  private async ask(conversationId: string, ask: ChatAsk, base: (messages: ChatMessage[]) => ChatMessage[], questionId?: string): Promise<boolean> {
    if (this.streams.has(conversationId)) return false;
    const controller = new AbortController();
    this.streams.set(conversationId, controller);

    const text = ask.message ?? "";
    const previous = this.get(conversationId).messages;
    const userId = questionId ?? localId("user");
    const assistantId = localId("answer");
    const user: ChatMessage[] = questionId
      ? []
      : [{ id: userId, role: "user", parts: [{ kind: "text", text }], status: "sending", usage: null, error: null, createdAt: this.now(), live: true }];
    this.update(conversationId, (s) => ({
      ...s,
      load: s.load === "idle" || s.load === "error" ? "ready" : s.load,
      messages: [...base(s.messages), ...user],
      streaming: true,
      stopping: false,
      sendError: null,
      draft: text && s.draft.trim() === text ? "" : s.draft,
    }));

    const generation = this.generation;
    const write = (fn: (s: ConversationState) => ConversationState) => {
      if (generation === this.generation) this.update(conversationId, fn);
    };
    const run = new StreamRun(conversationId, userId, assistantId, this.now);
    let saved = false;
    let ended = false;
    let cutOff = false;
    let failure: string | null = null;
    try {
      const response = await this.api.chatStream(conversationId, ask, controller.signal);
      if (!response.body) throw new Error("The server did not start the answer. Please try again.");
      for await (const raw of readSse(response.body, controller.signal)) {
        const event = toChatEvent(raw);
        if (!event) continue;
        if (event.type === "message_saved") saved = true;
        if (event.type === "title_update") this.options.onTitle?.(conversationId, event.title);
        if (event.type === "done" || event.type === "error") ended = true;
        if (event.type === "error" && !saved) {
          failure = event.error;
          break;
        }
        write((s) => ({ ...s, messages: run.apply(s.messages, event) }));
      }
      if (!ended && !failure) {
        const stopped = controller.signal.aborted || this.get(conversationId).stopping;
        if (!saved && !stopped) failure = "The connection closed before your question was saved. Please try again.";
        else write((s) => ({ ...s, messages: run.interrupt(s.messages, stopped) }));
        cutOff = saved && !stopped;
      }
    } catch (error) {
      const stopped = isAbort(error) || controller.signal.aborted;
      if (!saved && !stopped) failure = userMessage(error);
      else write((s) => ({ ...s, messages: run.interrupt(s.messages, stopped) }));
      cutOff = saved && !stopped;
    } finally {
      if (this.streams.get(conversationId) === controller) this.streams.delete(conversationId);
    }

    if (failure !== null) {
      const message = failure;
      write((s) => ({
        ...s,
        messages: ask.revises ? previous : s.messages.filter((m) => m.id !== userId && m.id !== run.assistantId),
        streaming: false,
        stopping: false,
        sendError: message,
        // What the user wrote is never lost: the question goes back into the box.
        draft: !text || s.draft.includes(text) ? s.draft : s.draft.trim() ? `${text}\n\n${s.draft}` : text,
      }));
    } else {
      write((s) => ({ ...s, streaming: false, stopping: false }));
      // A new version changes the other messages' version lists: read them back.
      if (ask.revises && !cutOff && generation === this.generation) void this.load(conversationId);
    }
    if (generation === this.generation) this.options.onSettled?.(conversationId);
    // The server keeps answering after a dropped connection and stores the result: fetch it when it lands.
    if (cutOff) void this.recover(conversationId, run.userMessageId, run.assistantId, generation);
    return failure === null;
  }

  private async recover(conversationId: string, userMessageId: string, answerId: string, generation: number): Promise<void> {
    const replace = (fn: (m: ChatMessage) => ChatMessage) =>
      this.update(conversationId, (s) => ({ ...s, messages: s.messages.map((m) => (m.id === answerId ? fn(m) : m)) }));
    for (const delay of this.options.recoverDelaysMs ?? [1500, 4000, 10_000, 30_000]) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (generation !== this.generation || this.streams.has(conversationId)) return;
      let stored: StoredMessage[];
      try {
        stored = await this.api.messages(conversationId);
      } catch {
        continue;
      }
      const at = stored.findIndex((m) => m.id === userMessageId);
      const answer = at === -1 ? undefined : stored.slice(at + 1).find((m) => m.role === "assistant");
      if (answer && generation === this.generation) {
        replace(() => fromStored(answer));
        return;
      }
    }
    if (generation === this.generation) replace((m) => ({ ...m, error: "The connection was lost before the answer finished. Reload later to see it." }));
  }

  /** Asks the server to stop; what was produced is kept. Cuts the stream locally if the server does not end it. */
  async stop(conversationId: string): Promise<void> {
    const controller = this.streams.get(conversationId);
    if (!controller || this.get(conversationId).stopping) return;
    this.update(conversationId, (s) => ({ ...s, stopping: true }));
    const cut = setTimeout(() => controller.abort(), this.options.stopGraceMs ?? 4000);
    controller.signal.addEventListener("abort", () => clearTimeout(cut));
    try {
      await this.api.stopChat(conversationId);
    } catch {
      controller.abort();
    }
  }

  /** Stops every stream and forgets everything (sign-out). */
  reset(): void {
    for (const controller of this.streams.values()) controller.abort();
    for (const controller of this.loads.values()) controller.abort();
    this.streams.clear();
    this.loads.clear();
    this.states.clear();
    this.generation++;
    this.emit();
  }

  private update(conversationId: string, fn: (s: ConversationState) => ConversationState): void {
    this.states.set(conversationId, fn(this.get(conversationId)));
    this.emit();
  }

  private emit(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
