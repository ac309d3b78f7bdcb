/** Test helpers: a streaming `Response` whose body the test feeds chunk by chunk. */
export interface ControlledStream {
  response: Response;
  push(text: string): void;
  close(): void;
  fail(error: Error): void;
}

export function controlledSse(init: ResponseInit = {}): ControlledStream {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  return {
    response: new Response(body, { status: 200, headers: { "Content-Type": "text/event-stream" }, ...init }),
    push: (text) => controller.enqueue(encoder.encode(text)),
    close: () => controller.close(),
    fail: (error) => controller.error(error),
  };
}

export function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The event that says the question was saved as `questionId` (the first of every answer). */
export function questionSaved(questionId: string): string {
  return sseEvent("message_saved", { message_id: questionId });
}

/** How the server opens an answer: the question saved as `questionId`, then the first `text` of the answer. */
export function answerBegins(questionId: string, text: string): string {
  return questionSaved(questionId) + sseEvent("text_delta", { delta: text });
}

/** The `done` event of the answer saved as `messageId`. */
export function answerDone(messageId: string, answer: string, stopReason = "end_turn", usage: unknown = null): string {
  return sseEvent("done", { message_id: messageId, answer, usage, stop_reason: stopReason });
}

/** Lets pending promise callbacks and stream reads run. */
export async function flush(times = 5): Promise<void> {
  for (let i = 0; i < times; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}
