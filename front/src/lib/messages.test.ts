import { describe, expect, it } from "vitest";
import { fromStored, messageText, splitMarkers } from "@/lib/messages";

const card = (title: string, id?: string) => ({ title, tool_call_id: id, blocks: [{ type: "table" }] });

describe("stored messages", () => {
  it("splits answers on card markers", () => {
    expect(splitMarkers("A {{data:0}} B{{data:1}}")).toEqual([{ text: "A " }, { card: 0 }, { text: " B" }, { card: 1 }]);
  });

  it("places cards where their markers are and matches tool calls by id", () => {
    const m = fromStored({
      id: "a1",
      role: "assistant",
      content: "Looking.\n\n{{data:0}}\n\nDone.",
      data: [card("Gaps", "t1")],
      tool_calls: [{ id: "db1", tool_use_id: "t1", tool_name: "run_query", title: "Gaps 2024", duration_ms: 30, input: { q: 1 } }],
      usage: { input_tokens: 1, output_tokens: 2 },
    });
    expect(m.parts.map((p) => p.kind)).toEqual(["text", "tool", "text"]);
    expect(m.parts[1]).toMatchObject({ step: { title: "Gaps 2024", durationMs: 30, card: { title: "Gaps" }, input: { q: 1 } } });
    expect(messageText(m)).toBe("Looking.\n\n\n\nDone.");
  });

  it("appends cards without markers after the text and shows failed tool calls", () => {
    const m = fromStored({
      id: "a1",
      role: "assistant",
      content: "Answer.",
      data: [card("Only")],
      tool_calls: [
        { tool_name: "run_query", error: "Unknown column 'gapp'." },
        { tool_name: "run_query", title: "Retry" },
      ],
    });
    expect(m.parts.map((p) => (p.kind === "tool" ? `${p.step.title}:${p.step.status}` : "text"))).toEqual([
      "text",
      "Retry:done",
      "run_query:error",
    ]);
  });
});

describe("stored message status", () => {
  it("shows stopped and failed answers as such", () => {
    expect(fromStored({ id: "a", role: "assistant", content: "half", status: "partial" }).status).toBe("stopped");
    expect(fromStored({ id: "b", role: "assistant", content: "", status: "error", error: "The model failed." })).toMatchObject({
      status: "error",
      error: "The model failed.",
    });
  });
});
