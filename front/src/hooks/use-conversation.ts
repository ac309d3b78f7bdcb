import { useCallback, useSyncExternalStore } from "react";
import type { ConversationState } from "@/lib/chat-store";
import { useServices } from "@/state/services";

/** The live state of one conversation in the chat store (messages, stream, draft). */
export function useConversation(key: string): ConversationState {
  const { chat } = useServices();
  const get = useCallback(() => chat.get(key), [chat, key]);
  return useSyncExternalStore(chat.subscribe, get, get);
}
