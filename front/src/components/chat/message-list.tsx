import { useEffect, useRef, useState } from "react";
import { Markdown } from "@/components/chat/markdown";
import { QuestionEditor } from "@/components/chat/question-editor";
import { ToolStepView } from "@/components/chat/tool-step";
import { VersionSwitch } from "@/components/chat/version-switch";
import { IconButton } from "@/components/ui/button";
import { Spinner } from "@/components/ui/spinner";
import { copyText } from "@/lib/clipboard";
import { formatUsage } from "@/lib/usage";
import { type ChatMessage, messageText } from "@/lib/messages";

interface MessageListProps {
  messages: ChatMessage[];
  symbol: string;
  streaming: boolean;
  /** Send `text` as a new version of the question `questionId`. */
  onEdit: (questionId: string, text: string) => void;
  /** Answer the question of `answerId` again. */
  onRegenerate: (answerId: string) => void;
  onSelectVersion: (messageId: string) => void;
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

interface AnswerProps {
  message: ChatMessage;
  symbol: string;
  idle: boolean;
  onRegenerate: (answerId: string) => void;
  onSelectVersion: (messageId: string) => void;
}

function Answer({ message, symbol, idle, onRegenerate, onSelectVersion }: AnswerProps) {
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
          <VersionSwitch id={message.id} versions={message.versions} what="answer" disabled={!idle} onSelect={onSelectVersion} />
          <CopyButton text={messageText(message)} />
          {idle && !message.id.startsWith("local-") ? <IconButton size="sm" icon="refresh" label="Regenerate the answer" onClick={() => onRegenerate(message.id)} /> : null}
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
function Question({ message, idle, onEdit, onSelectVersion }: { message: ChatMessage; idle: boolean } & Pick<MessageListProps, "onEdit" | "onSelectVersion">) {
  const [editing, setEditing] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  const stored = message.status !== "sending" && !message.id.startsWith("local-");
  if (editing) {
    return (
      <div className="msg-user-wrap">
        <QuestionEditor
          initial={messageText(message)}
          onSend={(text) => {
            setEditing(false);
            onEdit(message.id, text);
          }}
          onCancel={() => {
            setEditing(false);
            requestAnimationFrame(() => editButton.current?.focus());
          }}
        />
      </div>
    );
  }
  return (
    <div className="msg-user-wrap">
      <div className={`msg-user${message.status === "sending" ? " sending" : ""}`}>{messageText(message)}</div>
      <div className="msg-actions">
        <VersionSwitch id={message.id} versions={message.versions} what="question" disabled={!idle} onSelect={onSelectVersion} />
        <IconButton ref={editButton} size="sm" icon="edit" label="Edit this question" disabled={!idle || !stored} onClick={() => setEditing(true)} />
      </div>
    </div>
  );
}

export function MessageList({ messages, symbol, streaming, onEdit, onRegenerate, onSelectVersion }: MessageListProps) {
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

  return (
    <div className="chat-log" role="log" aria-live="off" aria-label="Conversation">
      {messages.map((m) =>
        m.role === "user" ? (
          <Question key={m.id} message={m} idle={!streaming} onEdit={onEdit} onSelectVersion={onSelectVersion} />
        ) : (
          <Answer key={m.id} message={m} symbol={symbol} idle={!streaming} onRegenerate={onRegenerate} onSelectVersion={onSelectVersion} />
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
