import { useEffect, useRef, useState } from "react";
import { Markdown } from "@/components/chat/markdown";
import { ToolStepView } from "@/components/chat/tool-step";
import { IconButton } from "@/components/ui/button";
import { Spinner } from "@/components/ui/spinner";
import { copyText } from "@/lib/clipboard";
import { formatUsage } from "@/lib/format";
import { type ChatMessage, messageText } from "@/lib/messages";

interface MessageListProps {
  messages: ChatMessage[];
  symbol: string;
  streaming: boolean;
  onEdit: (text: string) => void;
  onRegenerate: () => void;
}

function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <IconButton
      size="sm"
      icon={copied ? "check" : "copy"}
      label={copied ? "Copied" : "Copy answer"}
      onClick={() =>
        void copyText(text).then((ok) => {
          if (!ok) return;
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        })
      }
    />
  );
}

function Answer({ message, symbol, last, onRegenerate, canRegenerate }: { message: ChatMessage; symbol: string; last: boolean; onRegenerate: () => void; canRegenerate: boolean }) {
  const streaming = message.status === "streaming";
  const lastPart = message.parts[message.parts.length - 1];
  const thinking = streaming && (!lastPart || (lastPart.kind === "tool" && lastPart.step.status !== "running"));
  return (
    <article className="msg-answer" aria-label="Answer" data-status={message.status}>
      {message.parts.map((part, i) =>
        part.kind === "text" ? (
          <div key={i} className={streaming && i === message.parts.length - 1 ? "caret" : undefined}>
            <Markdown text={part.text} />
          </div>
        ) : (
          <ToolStepView key={part.step.id} step={part.step} symbol={symbol} />
        ),
      )}
      {thinking ? (
        <div className="thinking">
          <Spinner /> Thinking…
        </div>
      ) : null}
      {message.status === "stopped" ? <p className="muted" style={{ fontSize: 13 }}>Stopped. What was written so far is kept.</p> : null}
      {message.error ? (
        <p className="card-error" role="note" style={{ fontSize: 14 }}>
          {message.error}
        </p>
      ) : null}
      {!streaming ? (
        <div className="msg-actions">
          <CopyButton text={messageText(message)} />
          {last && canRegenerate ? <IconButton size="sm" icon="refresh" label="Regenerate the answer" onClick={onRegenerate} /> : null}
          {message.usage ? (
            <span className="usage" title="Tokens and cost of this answer">
              {formatUsage(message.usage)}
            </span>
          ) : null}
        </div>
      ) : null}
    </article>
  );
}

/** The conversation: questions, streamed answers with tool steps and cards; keeps to the bottom while you are there. */
export function MessageList({ messages, symbol, streaming, onEdit, onRegenerate }: MessageListProps) {
  const end = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const scroller = useRef<HTMLElement | null>(null);
  useEffect(() => {
    const el = end.current?.closest(".page-body") as HTMLElement | null;
    scroller.current = el;
    if (!el) return;
    const onScroll = () => {
      stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
    };
    el.addEventListener("scroll", onScroll);
    return () => el.removeEventListener("scroll", onScroll);
  }, []);
  useEffect(() => {
    if (stick.current && scroller.current) scroller.current.scrollTop = scroller.current.scrollHeight;
  }, [messages]);

  const lastAnswer = messages.findLastIndex((m) => m.role === "assistant");
  return (
    <div className="chat-log" role="log" aria-live="off" aria-label="Conversation">
      {messages.map((m, i) =>
        m.role === "user" ? (
          <div key={m.id} className="msg-user-wrap">
            <div className={`msg-user${m.status === "sending" ? " sending" : ""}`}>{messageText(m)}</div>
            <div className="msg-actions">
              <IconButton size="sm" icon="edit" label="Edit and resend this question" disabled={streaming} onClick={() => onEdit(messageText(m))} />
            </div>
          </div>
        ) : (
          <Answer key={m.id} message={m} symbol={symbol} last={i === lastAnswer} canRegenerate={!streaming} onRegenerate={onRegenerate} />
        ),
      )}
      {streaming && messages[messages.length - 1]?.role === "user" ? (
        <div className="thinking">
          <Spinner /> Thinking…
        </div>
      ) : null}
      <div ref={end} />
    </div>
  );
}
