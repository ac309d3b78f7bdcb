import { describe, expect, it } from "vitest";
import { toChatEvent } from "@/lib/chat-events";

const ev = (event: string, data: unknown) => toChatEvent({ event, data: typeof data === "string" ? data : JSON.stringify(data) });

describe("toChatEvent", () => {
  it("types every event of the API", () => {
    expect(ev("message_saved", { message_id: 12 })).toEqual({ type: "message_saved", message_id: "12" });
    expect(ev("title_update", { title: "Gaps" })).toEqual({ type: "title_update", title: "Gaps" });
    expect(ev("text_delta", { delta: "x" })).toEqual({ type: "text_delta", delta: "x" });
    expect(ev("tool_start", { tool_call_id: "t1", tool_name: "run_query", title: "Q", input: { a: 1 } })).toMatchObject({
      type: "tool_start",
      tool_call_id: "t1",
      input: { a: 1 },
    });
    expect(ev("tool_end", { tool_call_id: "t1", tool_name: "run_query", duration_ms: 12, error: null })).toMatchObject({
      duration_ms: 12,
      error: null,
    });
    expect(ev("data_block", { tool_call_id: "t1", title: "T", blocks: [{ type: "table" }, 3, null] })).toMatchObject({
      blocks: [{ type: "table" }],
    });
    expect(ev("done", { message_id: "m", answer: "a", usage: { input_tokens: 1, output_tokens: 2, cost_usd: 0.5 }, stop_reason: "end_turn" }))
      .toMatchObject({ usage: { input_tokens: 1, output_tokens: 2, cost_usd: 0.5 } });
    expect(ev("persist", { message_id: "m", persisted: false, reason: "db down" })).toMatchObject({ persisted: false, reason: "db down" });
    expect(ev("error", { error: "Model overloaded.", code: "LLM_UNAVAILABLE", retryable: true })).toMatchObject({ retryable: true });
  });

  it("drops unknown events, malformed JSON and payloads missing required fields", () => {
    expect(ev("surprise", {})).toBeNull();
    expect(ev("text_delta", "{not json")).toBeNull();
    expect(ev("text_delta", { text: "x" })).toBeNull();
    expect(ev("tool_start", { title: "no name" })).toBeNull();
    expect(ev("error", { code: "X" })).toBeNull();
    expect(ev("data_block", { title: "no blocks" })).toBeNull();
  });
});
