/** A server-sent event as it arrives on the wire: the event name and its (possibly multi-line) data. */
export interface SseMessage {
  event: string;
  data: string;
  id?: string;
}

/**
 * An incremental parser for `text/event-stream` (WHATWG HTML §9.2).
 *
 * Feed it decoded text in chunks of any size: it handles lines split across chunks, LF, CRLF and lone CR line
 * endings (including a CRLF whose CR ends one chunk and LF starts the next), several `data:` lines joined with
 * "\n", comment lines such as `: ping`, and the optional single space after the colon.
 */
export class SseParser {
  private buffer = "";
  private pendingCr = false;
  private event = "";
  private data: string[] = [];
  private id: string | undefined;

  /** Adds a chunk of text and returns the events it completed. */
  push(chunk: string): SseMessage[] {
    let text = chunk;
    if (this.pendingCr) {
      // The previous chunk ended in CR: a leading LF here belongs to the same line break.
      if (text.startsWith("\n")) text = text.slice(1);
      this.pendingCr = false;
    }
    this.buffer += text;
    const out: SseMessage[] = [];
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const ch = this.buffer[i];
      if (ch !== "\n" && ch !== "\r") continue;
      this.line(this.buffer.slice(start, i), out);
      if (ch === "\r") {
        if (i + 1 === this.buffer.length) this.pendingCr = true;
        else if (this.buffer[i + 1] === "\n") i++;
      }
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
    return out;
  }

  /** Ends the stream: a final event that lacks its blank line is still delivered (servers often omit it). */
  end(): SseMessage[] {
    const out: SseMessage[] = [];
    if (this.buffer) this.line(this.buffer, out);
    this.buffer = "";
    this.dispatch(out);
    return out;
  }

  private line(line: string, out: SseMessage[]): void {
    if (line === "") {
      this.dispatch(out);
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.event = value;
    else if (field === "data") this.data.push(value);
    else if (field === "id") this.id = value;
  }

  private dispatch(out: SseMessage[]): void {
    if (this.data.length > 0) {
      const message: SseMessage = { event: this.event || "message", data: this.data.join("\n") };
      if (this.id !== undefined) message.id = this.id;
      out.push(message);
    }
    this.event = "";
    this.data = [];
  }
}

/** Reads a response body as server-sent events, yielding each event as soon as it is complete. */
export async function* readSse(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<SseMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  const onAbort = () => void reader.cancel().catch(() => undefined);
  signal?.addEventListener("abort", onAbort);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
    yield* parser.push(decoder.decode());
    yield* parser.end();
  } finally {
    signal?.removeEventListener("abort", onAbort);
    reader.releaseLock();
  }
}
