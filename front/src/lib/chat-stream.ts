import type { ChatEvent } from "@/lib/chat-events";
import type { ChatMessage, Part, ToolStep } from "@/lib/messages";

// How one answer's stream becomes messages: the reducer of its events, and the merge of a history read with what
// this session streamed. Pure functions of their inputs; the ChatStore owns the state.

let localIds = 0;
/** A client id for a message the server has not named yet. */
export const localId = (prefix: string) => `local-${prefix}-${++localIds}`;
/** A message the server has not named yet: it cannot be revised. */
export const isLocal = (id: string) => id.startsWith("local-");

/** Applies one stream's events to the message list; it only ever touches its own two messages. */
export class StreamRun {
  constructor(
    readonly conversationId: string,
    public userMessageId: string,
    public assistantId: string,
    private readonly now: () => number,
  ) {}

  apply(messages: ChatMessage[], event: ChatEvent): ChatMessage[] {
    switch (event.type) {
      case "message_saved": {
        const next = this.patch(messages, this.userMessageId, (m) => ({ ...m, id: event.message_id, status: "complete" }));
        this.userMessageId = event.message_id;
        return next;
      }
      case "title_update":
        return messages;
      case "text_delta":
        return this.patchAnswer(messages, (m) => {
          const last = m.parts[m.parts.length - 1];
          const parts: Part[] =
            last?.kind === "text"
              ? [...m.parts.slice(0, -1), { kind: "text", text: last.text + event.delta }]
              : [...m.parts, { kind: "text", text: event.delta }];
          return { ...m, parts };
        });
      case "tool_start": {
        const step: ToolStep = {
          id: event.tool_call_id || localId("tool"),
          name: event.tool_name,
          title: event.title || event.tool_name,
          input: event.input,
          status: "running",
          startedAt: this.now(),
          durationMs: null,
          error: null,
          card: null,
        };
        return this.patchAnswer(messages, (m) => ({ ...m, parts: [...m.parts, { kind: "tool", step }] }));
      }
      case "tool_end":
        return this.patchAnswer(messages, (m) =>
          this.patchStep(m, event.tool_call_id, event.tool_name, (s) => ({
            ...s,
            status: event.error ? "error" : "done",
            durationMs: event.duration_ms ?? this.now() - s.startedAt,
            error: event.error,
          })),
        );
      case "data_block":
        return this.patchAnswer(messages, (m) => {
          const card = { tool_call_id: event.tool_call_id, title: event.title, blocks: event.blocks, query: event.query, warnings: event.warnings };
          const found = this.findStep(m, event.tool_call_id, null);
          if (found === -1) {
            const step: ToolStep = {
              id: event.tool_call_id || localId("tool"),
              name: "run_query",
              title: event.title,
              input: null,
              status: "done",
              startedAt: this.now(),
              durationMs: null,
              error: null,
              card,
            };
            return { ...m, parts: [...m.parts, { kind: "tool", step }] };
          }
          return this.patchStep(m, event.tool_call_id, null, (s) => ({ ...s, card, status: s.status === "running" ? "done" : s.status }));
        });
      case "done": {
        const next = this.patchAnswer(messages, (m) => {
          const parts = m.parts.length > 0 || !event.answer ? m.parts : [{ kind: "text" as const, text: event.answer.replace(/\{\{data:\d+\}\}/g, "") }];
          const stopped = event.stop_reason === "stopped" || event.stop_reason === "cancelled";
          return {
            ...m,
            id: event.message_id ?? m.id,
            parts: settleSteps(parts, this.now),
            usage: event.usage,
            status: stopped ? "stopped" : "complete",
          };
        });
        if (event.message_id) this.assistantId = event.message_id;
        return next;
      }
      case "persist": {
        if (!messages.some((m) => m.id === this.assistantId)) return messages;
        const next = this.patch(messages, this.assistantId, (m) => ({
          ...m,
          id: event.message_id ?? m.id,
          error: event.persisted ? m.error : `This answer was not saved${event.reason ? `: ${event.reason}` : "."}`,
        }));
        if (event.message_id) this.assistantId = event.message_id;
        return next;
      }
      case "error":
        return this.patchAnswer(messages, (m) => ({ ...m, parts: settleSteps(m.parts, this.now), status: "error", error: event.error }));
    }
  }

  /** The stream ended without `done`: keep what arrived, marked stopped or cut off. */
  interrupt(messages: ChatMessage[], stopped: boolean): ChatMessage[] {
    if (!messages.some((m) => m.id === this.assistantId)) {
      if (!stopped) return this.patchAnswer(messages, (m) => ({ ...m, status: "error", error: "The connection was lost. Looking for the saved answer…" }));
      return messages;
    }
    return this.patch(messages, this.assistantId, (m) =>
      m.status === "streaming"
        ? {
            ...m,
            parts: settleSteps(m.parts, this.now),
            status: stopped ? "stopped" : "error",
            error: stopped ? null : "The connection was lost. Looking for the saved answer…",
          }
        : m,
    );
  }

  private patch(messages: ChatMessage[], id: string, fn: (m: ChatMessage) => ChatMessage): ChatMessage[] {
    return messages.map((m) => (m.id === id ? fn(m) : m));
  }

  private patchAnswer(messages: ChatMessage[], fn: (m: ChatMessage) => ChatMessage): ChatMessage[] {
    if (messages.some((m) => m.id === this.assistantId)) return this.patch(messages, this.assistantId, fn);
    const answer: ChatMessage = {
      id: this.assistantId,
      role: "assistant",
      parts: [],
      status: "streaming",
      usage: null,
      error: null,
      createdAt: this.now(),
      live: true,
    };
    const at = messages.findIndex((m) => m.id === this.userMessageId);
    const list = [...messages];
    list.splice(at === -1 ? list.length : at + 1, 0, fn(answer));
    return list;
  }

  private findStep(m: ChatMessage, toolCallId: string, toolName: string | null): number {
    if (toolCallId) {
      const byId = m.parts.findIndex((p) => p.kind === "tool" && p.step.id === toolCallId);
      if (byId !== -1) return byId;
    }
    for (let i = m.parts.length - 1; i >= 0; i--) {
      const p = m.parts[i];
      if (p?.kind === "tool" && !p.step.card && (toolName === null || p.step.name === toolName)) return i;
    }
    return -1;
  }

  private patchStep(m: ChatMessage, toolCallId: string, toolName: string | null, fn: (s: ToolStep) => ToolStep): ChatMessage {
    const index = this.findStep(m, toolCallId, toolName);
    if (index === -1) return m;
    return { ...m, parts: m.parts.map((p, i) => (i === index && p.kind === "tool" ? { kind: "tool", step: fn(p.step) } : p)) };
  }
}

/**
 * Stored history first, then this session's streamed messages the server did not return (matched by id), when they
 * continue where the stored path ends: a read whose path went elsewhere (a version chosen or added in another tab)
 * is the truth. A live answer that ended (cut off) is dropped once the history holds an answer to the same question.
 */
export function mergeHistory(stored: ChatMessage[], current: ChatMessage[]): ChatMessage[] {
  const ids = new Set(stored.map((m) => m.id));
  const answered = new Set(stored.filter((m, i) => m.role === "user" && stored[i + 1]?.role === "assistant").map((m) => m.id));
  const versions = new Set(stored.flatMap((m) => m.versions ?? []));
  const firstPending = current.findIndex((m) => m.live && !ids.has(m.id));
  if (firstPending === -1) return stored;
  // What the pending messages follow on screen (nothing when they came before the first read finished).
  const anchor = current[firstPending - 1]?.id;
  const elsewhere = anchor === undefined ? versions.has(current[firstPending]!.id) : anchor !== stored[stored.length - 1]?.id;
  if (elsewhere) return stored;
  const out = [...stored];
  let question: string | null = null;
  for (const m of current) {
    if (m.role === "user") question = m.id;
    if (!m.live || ids.has(m.id)) continue;
    if (m.role === "assistant" && m.status !== "streaming" && question !== null && answered.has(question)) continue;
    out.push(m);
  }
  return out;
}

function settleSteps(parts: Part[], now: () => number): Part[] {
  return parts.map((p) =>
    p.kind === "tool" && p.step.status === "running"
      ? { kind: "tool", step: { ...p.step, status: "done", durationMs: p.step.durationMs ?? now() - p.step.startedAt } }
      : p,
  );
}
