import type { ApiClient } from "@/lib/api";
import type { Conversation, Instrument } from "@/lib/api-types";
import { userMessage } from "@/lib/errors";

export type LoadState = "idle" | "loading" | "ready" | "error";

export interface WorkspaceState {
  instruments: Instrument[];
  instrumentsLoad: LoadState;
  instrumentsError: string | null;
  conversations: Conversation[];
  conversationsLoad: LoadState;
  conversationsError: string | null;
  nextCursor: string | null;
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
};

const PAGE = 50;

/**
 * The signed-in user's workspace instruments and conversations (the sidebar's data). Titles that arrive from a
 * stream before the conversation is listed are remembered and applied when it shows up.
 */
export class WorkspaceStore {
  private state: WorkspaceState = INITIAL;
  private readonly listeners = new Set<() => void>();
  private readonly titles = new Map<string, string>();

  constructor(private readonly api: WorkspaceApi) {}

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
      const items = page.items.map((c) => this.withTitle(c));
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

  async deleteConversation(id: string): Promise<void> {
    await this.api.deleteConversation(id);
    this.set({ conversations: this.state.conversations.filter((c) => c.id !== id) });
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
    this.titles.clear();
    this.state = INITIAL;
    this.emit();
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
