import type { ApiClient } from "@/lib/api";
import type { Conversation, Instrument } from "@/lib/api-types";
import { userMessage } from "@/lib/errors";

export type LoadState = "idle" | "loading" | "ready" | "error";

/** A chat deleted from the list whose DELETE waits for the undo delay; `error` when the server then refused it. */
export interface PendingDelete {
  conversation: Conversation;
  error: string | null;
}

export interface WorkspaceState {
  instruments: Instrument[];
  instrumentsLoad: LoadState;
  instrumentsError: string | null;
  conversations: Conversation[];
  conversationsLoad: LoadState;
  conversationsError: string | null;
  nextCursor: string | null;
  deletes: PendingDelete[];
}

type WorkspaceApi = Pick<
  ApiClient,
  | "userInstruments"
  | "addUserInstrument"
  | "removeUserInstrument"
  | "conversations"
  | "createConversation"
  | "renameConversation"
  | "deleteConversation"
>;

const INITIAL: WorkspaceState = {
  instruments: [],
  instrumentsLoad: "idle",
  instrumentsError: null,
  conversations: [],
  conversationsLoad: "idle",
  conversationsError: null,
  nextCursor: null,
  deletes: [],
};

const PAGE = 50;
/** How long a deleted chat can be brought back before the DELETE is sent. */
export const UNDO_DELETE_MS = 6000;

/**
 * The signed-in user's workspace instruments and conversations (the sidebar's data). Titles that arrive from a
 * stream before the conversation is listed are remembered and applied when it shows up.
 */
export class WorkspaceStore {
  private state: WorkspaceState = INITIAL;
  private readonly listeners = new Set<() => void>();
  private readonly titles = new Map<string, string>();
  private readonly deleteTimers = new Map<string, { timer: ReturnType<typeof setTimeout>; index: number }>();

  constructor(
    private readonly api: WorkspaceApi,
    private readonly undoDeleteMs = UNDO_DELETE_MS,
  ) {}

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  get = () => this.state;

  async loadInstruments(): Promise<void> {
    this.set({ instrumentsLoad: this.state.instruments.length ? "ready" : "loading", instrumentsError: null });
    try {
      this.set({ instruments: await this.api.userInstruments(), instrumentsLoad: "ready" });
    } catch (error) {
      this.set({ instrumentsLoad: "error", instrumentsError: userMessage(error) });
    }
  }

  /** Adds a symbol to the workspace (idempotent on the server); throws the server's sentence on failure. */
  async addInstrument(instrument: Instrument): Promise<void> {
    await this.api.addUserInstrument(instrument.symbol);
    if (!this.state.instruments.some((i) => i.symbol === instrument.symbol.toUpperCase())) {
      this.set({ instruments: [...this.state.instruments, { ...instrument, symbol: instrument.symbol.toUpperCase() }] });
    }
    void this.loadInstruments();
  }

  async removeInstrument(symbol: string): Promise<void> {
    await this.api.removeUserInstrument(symbol);
    this.set({ instruments: this.state.instruments.filter((i) => i.symbol !== symbol) });
  }

  async loadConversations(options: { more?: boolean } = {}): Promise<void> {
    const cursor = options.more ? this.state.nextCursor : null;
    if (options.more && !cursor) return;
    this.set({ conversationsLoad: this.state.conversations.length ? "ready" : "loading", conversationsError: null });
    try {
      const page = await this.api.conversations({ limit: PAGE, cursor });
      const items = page.items.filter((c) => !this.deleteTimers.has(c.id)).map((c) => this.withTitle(c));
      const conversations = options.more ? [...this.state.conversations, ...items.filter((c) => !this.has(c.id))] : items;
      this.set({ conversations, nextCursor: page.next_cursor, conversationsLoad: "ready" });
    } catch (error) {
      this.set({ conversationsLoad: "error", conversationsError: userMessage(error) });
    }
  }

  async createConversation(instrument: string): Promise<Conversation> {
    const conversation = await this.api.createConversation(instrument);
    this.upsert({ ...conversation, updated_at: conversation.updated_at ?? new Date().toISOString() });
    return conversation;
  }

  async renameConversation(id: string, title: string): Promise<void> {
    const updated = await this.api.renameConversation(id, title);
    this.titles.delete(id);
    this.patch(id, { title: updated?.title ?? title });
  }

  /** Takes a chat off the list now and deletes it on the server after the undo delay, unless `undoDelete` comes first. */
  deleteConversation(id: string): void {
    const index = this.state.conversations.findIndex((c) => c.id === id);
    const conversation = this.state.conversations[index];
    if (!conversation || this.deleteTimers.has(id)) return;
    this.deleteTimers.set(id, { index, timer: setTimeout(() => void this.sendDelete(id), this.undoDeleteMs) });
    this.set({
      conversations: this.state.conversations.filter((c) => c.id !== id),
      deletes: [...this.state.deletes.filter((d) => d.conversation.id !== id), { conversation, error: null }],
    });
  }

  /** Brings a chat back before its DELETE is sent. */
  undoDelete(id: string): void {
    const pending = this.deleteTimers.get(id);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.deleteTimers.delete(id);
    this.restore(id, pending.index);
  }

  /** Forgets a delete that failed (the chat is back in the list). */
  dismissDelete(id: string): void {
    this.set({ deletes: this.state.deletes.filter((d) => d.conversation.id !== id) });
  }

  /** A `title_update` from a stream. */
  setTitle(id: string, title: string): void {
    this.titles.set(id, title);
    this.patch(id, { title });
  }

  /** Moves a conversation to the top after activity (a finished answer). */
  touch(id: string): void {
    const found = this.state.conversations.find((c) => c.id === id);
    if (found) this.upsert({ ...found, updated_at: new Date().toISOString() });
  }

  reset(): void {
    // Deletes still waiting for their undo delay are what the user asked for: send them before forgetting.
    for (const [id, { timer }] of this.deleteTimers) {
      clearTimeout(timer);
      this.api.deleteConversation(id).catch(() => undefined);
    }
    this.deleteTimers.clear();
    this.titles.clear();
    this.state = INITIAL;
    this.emit();
  }

  private async sendDelete(id: string): Promise<void> {
    const index = this.deleteTimers.get(id)?.index ?? 0;
    this.deleteTimers.delete(id);
    try {
      await this.api.deleteConversation(id);
      this.dismissDelete(id);
    } catch (error) {
      this.restore(id, index, userMessage(error));
    }
  }

  /** Puts a pending-delete chat back where it was; with an error, its notice stays to say why. */
  private restore(id: string, index: number, error: string | null = null) {
    const pending = this.state.deletes.find((d) => d.conversation.id === id);
    if (!pending) return;
    const conversations = this.state.conversations.filter((c) => c.id !== id);
    conversations.splice(Math.min(index, conversations.length), 0, pending.conversation);
    const deletes = error
      ? this.state.deletes.map((d) => (d.conversation.id === id ? { ...d, error } : d))
      : this.state.deletes.filter((d) => d.conversation.id !== id);
    this.set({ conversations, deletes });
  }

  private has(id: string) {
    return this.state.conversations.some((c) => c.id === id);
  }

  private withTitle(c: Conversation): Conversation {
    const title = this.titles.get(c.id);
    return title ? { ...c, title } : c;
  }

  private upsert(conversation: Conversation) {
    const rest = this.state.conversations.filter((c) => c.id !== conversation.id);
    this.set({ conversations: [this.withTitle(conversation), ...rest] });
  }

  private patch(id: string, patch: Partial<Conversation>) {
    if (!this.has(id)) return;
    this.set({ conversations: this.state.conversations.map((c) => (c.id === id ? { ...c, ...patch } : c)) });
  }

  private set(patch: Partial<WorkspaceState>) {
    this.state = { ...this.state, ...patch };
    this.emit();
  }

  private emit() {
    for (const l of [...this.listeners]) l();
  }
}
