import { useEffect, useRef } from "react";
import { Link, useParams } from "react-router";
import { SidebarToggle } from "@/components/layout/app-layout";
import { useLayout } from "@/hooks/use-layout";
import { Composer, type ComposerHandle } from "@/components/chat/composer";
import { LlmNotice } from "@/components/chat/llm-notice";
import { MessageList } from "@/components/chat/message-list";
import { Icon } from "@/components/ui/icon";
import { ErrorAlert } from "@/components/ui/error-alert";
import { Skeleton } from "@/components/ui/spinner";
import { useConversation } from "@/hooks/use-conversation";
import { useHotkey } from "@/hooks/use-hotkey";
import { useResource } from "@/hooks/use-resource";
import { isNotFound } from "@/lib/errors";
import { messageText } from "@/lib/messages";
import { useServices, useStoreState } from "@/state/services";

/** A chat that the server does not have: one plain statement and the way back, nothing to retry or type into. */
function ChatNotFound({ symbol }: { symbol: string }) {
  return (
    <>
      <header className="page-header">
        <SidebarToggle />
        <h1>Chat not found</h1>
      </header>
      <div className="page-body">
        <div className="content">
          <p>There is no chat at this address. It may have been deleted, or the link is incomplete.</p>
          <p>
            <Link to={`/i/${encodeURIComponent(symbol)}`}>Go to {symbol}</Link> to see its chats or start a new one.
          </p>
        </div>
      </div>
    </>
  );
}

/** A conversation: its history, the live answer (which keeps streaming if you leave), and the question box. */
export function ChatPage() {
  const { symbol = "", id = "" } = useParams();
  const { api, chat, workspace } = useServices();
  const state = useConversation(id);
  const listed = useStoreState(workspace).conversations.find((c) => c.id === id);
  const meta = useResource((signal) => (listed ? Promise.resolve(listed) : api.conversation(id, signal)), [api, id, !!listed]);
  const composer = useRef<ComposerHandle>(null);
  const upper = symbol.toUpperCase();
  const missing = state.load === "missing" || (!listed && meta.status === "error" && isNotFound(meta.error));
  const title = missing ? "Chat not found" : (listed?.title ?? meta.data?.title ?? "Chat");

  useEffect(() => {
    void chat.load(id);
  }, [chat, id]);

  useEffect(() => {
    document.title = `${title} · ${upper} · Barb`;
  }, [title, upper]);

  const layout = useLayout();
  useHotkey((e) => e.key === "Escape" && state.streaming && !layout.panel && !document.querySelector("dialog[open]"), () => void chat.stop(id));

  if (missing) return <ChatNotFound symbol={upper} />;
  const send = () => void chat.send(id, state.draft);
  const announce = state.streaming ? "" : state.messages.length ? "Answer complete." : "";

  return (
    <>
      <header className="page-header">
        <SidebarToggle />
        <h1>{title}</h1>
        <Link className="btn btn-sm btn-ghost" to={`/i/${encodeURIComponent(upper)}`}>
          {upper}
        </Link>
        <Link className="btn btn-sm btn-ghost" to={`/i/${encodeURIComponent(upper)}/query`} aria-label="Query console">
          <Icon name="terminal" /> <span className="desktop-only">Query console</span>
        </Link>
      </header>
      <div className="page-body">
        {state.load === "loading" && state.messages.length === 0 ? (
          <div className="content">
            <Skeleton lines={5} />
          </div>
        ) : null}
        {state.load === "error" ? (
          <div className="content">
            <ErrorAlert
              error={state.loadError}
              onRetry={() => {
                void chat.load(id);
                meta.reload();
              }}
            />
          </div>
        ) : null}
        {state.load === "ready" && state.messages.length === 0 ? <p className="empty">No messages yet. Ask a question below.</p> : null}
        <MessageList
          messages={state.messages}
          symbol={upper}
          streaming={state.streaming}
          onRegenerate={(answerId) => void chat.regenerate(id, answerId)}
          onEdit={(questionId, text) => void chat.edit(id, questionId, text)}
          onSelectVersion={(messageId) => void chat.selectVersion(id, messageId)}
        />
        <div className="sr-only" role="status" aria-live="polite">
          {announce}
        </div>
      </div>
      <LlmNotice symbol={upper} />
      <Composer
        ref={composer}
        value={state.draft}
        onChange={(v) => {
          chat.setDraft(id, v);
          if (state.sendError) chat.clearSendError(id);
        }}
        onSend={send}
        onStop={() => void chat.stop(id)}
        onEditLast={() => {
          const last = state.messages.findLast((m) => m.role === "user");
          if (last) chat.setDraft(id, messageText(last));
        }}
        streaming={state.streaming}
        stopping={state.stopping}
        error={state.sendError}
        placeholder="Ask a follow-up…"
        autoFocus
      />
    </>
  );
}
