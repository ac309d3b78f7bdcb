import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Conversation } from "@/lib/api-types";
import { ApiError } from "@/lib/errors";
import { WorkspaceStore } from "@/lib/workspace-store";

const chats: Conversation[] = [
  { id: "A", instrument: "NQ", title: "Gaps" },
  { id: "B", instrument: "NQ", title: "Ranges" },
  { id: "C", instrument: "ES", title: "Fridays" },
];

function storeWithChats() {
  const api = {
    userInstruments: vi.fn(async () => []),
    addUserInstrument: vi.fn(async () => ({})),
    removeUserInstrument: vi.fn(async () => undefined),
    conversations: vi.fn(async () => ({ items: chats, next_cursor: null })),
    createConversation: vi.fn(),
    renameConversation: vi.fn(),
    deleteConversation: vi.fn(async (_id: string): Promise<unknown> => undefined),
  };
  const store = new WorkspaceStore(api, 5000);
  return { api, store, ids: () => store.get().conversations.map((c) => c.id) };
}

describe("deleting a chat with undo", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("hides the chat at once and sends the DELETE only after the undo delay", async () => {
    const { api, store, ids } = storeWithChats();
    await store.loadConversations();
    store.deleteConversation("B");
    expect(ids()).toEqual(["A", "C"]);
    expect(store.get().deletes).toEqual([{ conversation: chats[1], error: null }]);
    await vi.advanceTimersByTimeAsync(4900);
    expect(api.deleteConversation).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(100);
    expect(api.deleteConversation).toHaveBeenCalledWith("B");
    expect(store.get().deletes).toEqual([]);
    expect(ids()).toEqual(["A", "C"]);
  });

  it("puts the chat back where it was on undo, and never sends the DELETE", async () => {
    const { api, store, ids } = storeWithChats();
    await store.loadConversations();
    store.deleteConversation("B");
    store.undoDelete("B");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ids()).toEqual(["A", "B", "C"]);
    expect(store.get().deletes).toEqual([]);
    expect(api.deleteConversation).not.toHaveBeenCalled();
  });

  it("brings the chat back with the reason when the server refuses the DELETE", async () => {
    const { api, store, ids } = storeWithChats();
    api.deleteConversation.mockRejectedValueOnce(new ApiError("The server ran into a problem.", { status: 500, code: "INTERNAL_ERROR" }));
    await store.loadConversations();
    store.deleteConversation("A");
    await vi.advanceTimersByTimeAsync(5000);
    expect(ids()).toEqual(["A", "B", "C"]);
    expect(store.get().deletes).toEqual([{ conversation: chats[0], error: "The server ran into a problem." }]);
    store.dismissDelete("A");
    expect(store.get().deletes).toEqual([]);
  });

  it("keeps a pending chat hidden when the list reloads, and sends pending DELETEs on sign-out", async () => {
    const { api, store, ids } = storeWithChats();
    await store.loadConversations();
    store.deleteConversation("C");
    await store.loadConversations();
    expect(ids()).toEqual(["A", "B"]);
    store.reset();
    expect(api.deleteConversation).toHaveBeenCalledWith("C");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(api.deleteConversation).toHaveBeenCalledTimes(1);
  });
});
