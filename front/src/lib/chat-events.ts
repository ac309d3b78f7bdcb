import type { Block, Usage } from "@/lib/api-types";
import type { SseMessage } from "@/lib/sse";

/** The chat stream's events (`API.md`, "Chat stream"), checked at the edge so the rest of the app can trust them. */
export type ChatEvent =
  | { type: "message_saved"; message_id: string }
  | { type: "title_update"; title: string }
  | { type: "text_delta"; delta: string }
  | { type: "tool_start"; tool_call_id: string; tool_name: string; title: string; input: unknown }
  | { type: "tool_end"; tool_call_id: string; tool_name: string; duration_ms: number | null; error: string | null }
  | { type: "data_block"; tool_call_id: string; title: string; blocks: Block[]; query: unknown; warnings: string[] }
  | { type: "done"; message_id: string | null; answer: string; usage: Usage | null; stop_reason: string | null }
  | { type: "persist"; message_id: string | null; persisted: boolean; reason: string | null }
  | { type: "error"; error: string; code: string; retryable: boolean };

type Json = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const id = (v: unknown): string | null => (typeof v === "string" ? v : typeof v === "number" ? String(v) : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

function usage(v: unknown): Usage | null {
  if (!v || typeof v !== "object") return null;
  const u = v as Json;
  const out: Usage = { input_tokens: num(u.input_tokens) ?? 0, output_tokens: num(u.output_tokens) ?? 0 };
  const extra = ["cache_read_tokens", "cache_write_tokens", "cost_usd"] as const;
  for (const key of extra) {
    const n = num(u[key]);
    if (n !== null) out[key] = n;
  }
  return out;
}

function blocks(v: unknown): Block[] | null {
  if (!Array.isArray(v)) return null;
  return v.filter((b): b is Block => !!b && typeof b === "object" && typeof (b as Json).type === "string");
}

/** Turns a raw SSE message into a typed chat event, or null when its name is unknown or its payload malformed. */
export function toChatEvent(message: SseMessage): ChatEvent | null {
  let payload: unknown;
  try {
    payload = JSON.parse(message.data);
  } catch {
    return null;
  }
  if (!payload || typeof payload !== "object") return null;
  const d = payload as Json;
  switch (message.event) {
    case "message_saved": {
      const messageId = id(d.message_id);
      return messageId === null ? null : { type: "message_saved", message_id: messageId };
    }
    case "title_update": {
      const title = str(d.title);
      return title === null ? null : { type: "title_update", title };
    }
    case "text_delta": {
      const delta = str(d.delta);
      return delta === null ? null : { type: "text_delta", delta };
    }
    case "tool_start": {
      const toolName = str(d.tool_name);
      if (toolName === null) return null;
      return {
        type: "tool_start",
        tool_call_id: id(d.tool_call_id) ?? "",
        tool_name: toolName,
        title: str(d.title) ?? "",
        input: d.input ?? null,
      };
    }
    case "tool_end": {
      const toolName = str(d.tool_name);
      if (toolName === null) return null;
      return {
        type: "tool_end",
        tool_call_id: id(d.tool_call_id) ?? "",
        tool_name: toolName,
        duration_ms: num(d.duration_ms),
        error: str(d.error),
      };
    }
    case "data_block": {
      const list = blocks(d.blocks);
      if (list === null) return null;
      return {
        type: "data_block",
        tool_call_id: id(d.tool_call_id) ?? "",
        title: str(d.title) ?? "",
        blocks: list,
        query: d.query ?? null,
        warnings: Array.isArray(d.warnings) ? d.warnings.filter((w): w is string => typeof w === "string") : [],
      };
    }
    case "done":
      return {
        type: "done",
        message_id: id(d.message_id),
        answer: str(d.answer) ?? "",
        usage: usage(d.usage),
        stop_reason: str(d.stop_reason),
      };
    case "persist":
      return {
        type: "persist",
        message_id: id(d.message_id),
        persisted: d.persisted === true,
        reason: str(d.reason),
      };
    case "error": {
      const error = str(d.error);
      if (error === null) return null;
      return { type: "error", error, code: str(d.code) ?? "ERROR", retryable: d.retryable === true };
    }
    default:
      return null;
  }
}
