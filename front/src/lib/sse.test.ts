import { describe, expect, it } from "vitest";
import { readSse, SseParser, type SseMessage } from "@/lib/sse";

function parseAll(chunks: string[]): SseMessage[] {
  const parser = new SseParser();
  return [...chunks.flatMap((c) => parser.push(c)), ...parser.end()];
}

describe("SseParser", () => {
  it("parses named events with JSON data", () => {
    expect(parseAll(['event: text_delta\ndata: {"delta":"Hi"}\n\n'])).toEqual([{ event: "text_delta", data: '{"delta":"Hi"}' }]);
  });

  it("joins multi-line data with newlines", () => {
    expect(parseAll(["event: x\ndata: line one\ndata: line two\ndata:\n\n"])).toEqual([
      { event: "x", data: "line one\nline two\n" },
    ]);
  });

  it("handles CRLF and lone CR line endings", () => {
    expect(parseAll(["event: a\r\ndata: 1\r\n\r\nevent: b\rdata: 2\r\r"])).toEqual([
      { event: "a", data: "1" },
      { event: "b", data: "2" },
    ]);
  });

  it("reassembles an event split at every possible byte", () => {
    const wire = ': connected\r\n\r\nevent: tool_start\r\ndata: {"tool_name":"run_query",\r\ndata: "title":"Gaps"}\r\n\r\n';
    for (let cut = 1; cut < wire.length; cut++) {
      expect(parseAll([wire.slice(0, cut), wire.slice(cut)])).toEqual([
        { event: "tool_start", data: '{"tool_name":"run_query",\n"title":"Gaps"}' },
      ]);
    }
  });

  it("treats a CR at the end of a chunk and LF at the start of the next as one line break", () => {
    expect(parseAll(["data: a\r", "\ndata: b\r", "\n\r", "\n"])).toEqual([{ event: "message", data: "a\nb" }]);
  });

  it("ignores comments and heartbeats and keeps events around them", () => {
    expect(parseAll([": connected\n\n", ": ping\n\n", "event: done\n: ping\ndata: {}\n\n"])).toEqual([{ event: "done", data: "{}" }]);
  });

  it("strips only one leading space and accepts fields without a colon", () => {
    expect(parseAll(["data:  two spaces\n\n", "data\n\n"])).toEqual([
      { event: "message", data: " two spaces" },
      { event: "message", data: "" },
    ]);
  });

  it("keeps the last id and delivers a final event that lacks its blank line", () => {
    expect(parseAll(["id: 7\nevent: persist\ndata: {}"])).toEqual([{ event: "persist", data: "{}", id: "7" }]);
  });

  it("does not dispatch an event with no data lines", () => {
    expect(parseAll(["event: lonely\n\n"])).toEqual([]);
  });
});

describe("readSse", () => {
  it("decodes UTF-8 split inside a multi-byte character", async () => {
    const bytes = new TextEncoder().encode('event: text_delta\ndata: {"delta":"€ ✓"}\n\n');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 3) controller.enqueue(bytes.slice(i, i + 3));
        controller.close();
      },
    });
    const events: SseMessage[] = [];
    for await (const e of readSse(body)) events.push(e);
    expect(events).toEqual([{ event: "text_delta", data: '{"delta":"€ ✓"}' }]);
  });
});
