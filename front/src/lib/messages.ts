import type { DataCard, StoredMessage, StoredToolCall, Usage } from "@/lib/api-types";

/** One tool call as the chat shows it: a step with its elapsed time, then its card (or why it failed). */
export interface ToolStep {
  id: string;
  name: string;
  title: string;
  input: unknown;
  status: "running" | "done" | "error";
  startedAt: number;
  durationMs: number | null;
  error: string | null;
  card: DataCard | null;
}

export type Part = { kind: "text"; text: string } | { kind: "tool"; step: ToolStep };

export type MessageStatus = "sending" | "streaming" | "complete" | "stopped" | "error";

export interface ChatMessage {
  /** A server id once known, else a client id (`local-…`). */
  id: string;
  role: "user" | "assistant";
  parts: Part[];
  status: MessageStatus;
  usage: Usage | null;
  error: string | null;
  createdAt: number;
  /** This message's versions, itself included, oldest first (one entry, or none for a local message: no choice). */
  versions?: string[];
  /** Streamed in this session (not read from the history). */
  live?: boolean;
}

const MARKER = /\{\{data:(\d+)\}\}/g;

/** Splits an answer on its `{{data:N}}` card markers. */
export function splitMarkers(content: string): Array<{ text: string } | { card: number }> {
  const out: Array<{ text: string } | { card: number }> = [];
  let last = 0;
  for (const match of content.matchAll(MARKER)) {
    const before = content.slice(last, match.index);
    if (before.trim()) out.push({ text: before });
    out.push({ card: Number(match[1]) });
    last = match.index + match[0].length;
  }
  const rest = content.slice(last);
  if (rest.trim()) out.push({ text: rest });
  return out;
}

/** The plain text of a message (its text parts joined), for copying and editing. */
export function messageText(message: Pick<ChatMessage, "parts">): string {
  return message.parts
    .filter((p): p is { kind: "text"; text: string } => p.kind === "text")
    .map((p) => p.text)
    .join("")
    .replace(MARKER, "")
    .trim();
}

function callTitle(call: StoredToolCall): string {
  if (call.title) return call.title;
  const input = call.input;
  if (input && typeof input === "object" && typeof (input as Record<string, unknown>).title === "string") {
    return (input as Record<string, string>).title ?? call.tool_name;
  }
  return call.tool_name;
}

const callId = (call: StoredToolCall | undefined) => call?.tool_use_id ?? call?.tool_call_id ?? call?.id;

function stepFromStored(call: StoredToolCall | undefined, card: DataCard | null, index: number): ToolStep {
  return {
    id: callId(call) ?? card?.tool_call_id ?? `stored-${index}`,
    name: call?.tool_name ?? "run_query",
    title: call ? callTitle(call) : (card?.title ?? "Query"),
    input: call?.input ?? null,
    status: call?.error ? "error" : "done",
    startedAt: 0,
    durationMs: call?.duration_ms ?? null,
    error: call?.error ?? null,
    card,
  };
}

/** Rebuilds a stored message into parts, placing each card where its marker sits (or after the text). */
export function fromStored(message: StoredMessage): ChatMessage {
  const status: MessageStatus = message.status === "partial" ? "stopped" : message.status === "error" ? "error" : "complete";
  const base = {
    id: message.id,
    role: message.role,
    status,
    usage: message.usage ?? null,
    error: message.error ?? null,
    createdAt: message.created_at ? Date.parse(message.created_at) || 0 : 0,
    versions: message.versions ?? [message.id],
  };
  if (message.role === "user") return { ...base, parts: [{ kind: "text", text: message.content }] };

  const cards = message.data ?? [];
  const calls = [...(message.tool_calls ?? [])];
  const used = new Set<StoredToolCall>();
  const callFor = (card: DataCard | null, index: number): StoredToolCall | undefined => {
    const byId = card?.tool_call_id ? calls.find((c) => callId(c) === card.tool_call_id) : undefined;
    const match = byId ?? calls.filter((c) => !c.error && !used.has(c))[0] ?? calls[index];
    if (match) used.add(match);
    return match;
  };

  const parts: Part[] = [];
  const placed = new Set<number>();
  for (const seg of splitMarkers(message.content)) {
    if ("text" in seg) parts.push({ kind: "text", text: seg.text });
    else if (cards[seg.card] && !placed.has(seg.card)) {
      placed.add(seg.card);
      const card = cards[seg.card] ?? null;
      parts.push({ kind: "tool", step: stepFromStored(callFor(card, seg.card), card, seg.card) });
    }
  }
  cards.forEach((card, i) => {
    if (!placed.has(i)) parts.push({ kind: "tool", step: stepFromStored(callFor(card, i), card, i) });
  });
  calls
    .filter((c) => !used.has(c) && c.error)
    .forEach((c, i) => parts.push({ kind: "tool", step: stepFromStored(c, null, cards.length + i) }));
  return { ...base, parts };
}
