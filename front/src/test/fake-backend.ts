import { vi } from "vitest";
import type { AppConfig } from "@/lib/api-types";
import { type ControlledStream, controlledSse } from "@/test/sse-response";

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

const conversations = [
  { id: "A", instrument: "NQ", title: "Gaps in 2024", updated_at: new Date().toISOString() },
  { id: "B", instrument: "NQ", title: "Friday ranges", updated_at: new Date().toISOString() },
  { id: "V", instrument: "NQ", title: "Widest day", updated_at: new Date().toISOString() },
];
const firstAnswer = { id: "v2", role: "assistant", content: "Monday, in the first answer.", reply_to: "v1", versions: ["v2", "v3"] };
const history: Record<string, unknown[]> = {
  A: [],
  N: [],
  B: [
    { id: "b1", role: "user", content: "Old question in B" },
    { id: "b2", role: "assistant", content: "Old answer in B" },
  ],
  // An answer regenerated once: the second version is shown, the first one a click away.
  V: [
    { id: "v1", role: "user", content: "Which day is widest?", versions: ["v1"] },
    { id: "v3", role: "assistant", content: "Friday, in the second answer.", reply_to: "v1", versions: ["v2", "v3"] },
  ],
};

const withData = (first: string) => ({ available: true, sample: true, first, last: "2024-12-31", bar_sizes: ["1m", "daily"] });
/** The catalogue: two instruments with bars and one without. */
const catalogue = [
  { symbol: "NQ", name: "E-Mini Nasdaq 100", exchange: "CME", data: withData("2015-01-02") },
  { symbol: "ES", name: "E-Mini S&P 500", exchange: "CME", data: withData("2015-01-02") },
  { symbol: "6A", name: "Australian Dollar", exchange: "CME", data: { available: false, sample: false, first: null, last: null, bar_sizes: [] } },
];

/** What `POST /api/query` answers by default: a one-row table, echoing the query. */
const oneRow = (query: unknown): unknown => ({ kind: "table", columns: [{ name: "date", type: "date" }, { name: "close", type: "number" }], rows: [["2024-01-02", 16543.25]], query });

/** A fake backend behind `fetch`: the app's real API client, stores and components run on top of it. */
export function installBackend(config: Partial<AppConfig> = {}) {
  const streams: ControlledStream[] = [];
  const calls: string[] = [];
  /** Every request as `METHOD absolute-url`, to tell apart which origin it went to. */
  const urls: string[] = [];
  /** The bodies of the chat stream requests. */
  const asked: unknown[] = [];
  let chatFailure: Response | null = null;
  let createFailure: Response | null = null;
  /** The bodies of the `POST /api/query` requests. */
  const queries: Array<{ instrument: string; query: unknown }> = [];
  let answerQuery = oneRow;
  let queryFailures: Response[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), "http://localhost");
    const method = init?.method ?? "GET";
    calls.push(`${method} ${url.pathname}`);
    urls.push(`${method} ${url.href}`);
    if (url.pathname === "/api/config") return json({ auth: "local", llm_configured: true, version: "test", ...config });
    if (url.pathname === "/api/user-instruments") return json({ instruments: [{ symbol: "NQ", name: "E-Mini Nasdaq 100" }] });
    if (url.pathname === "/api/conversations" && method === "POST") {
      if (createFailure) return createFailure;
      const created = { id: "N", instrument: "NQ", title: "New chat", updated_at: new Date().toISOString() };
      return json(created, 201);
    }
    if (url.pathname === "/api/conversations") return json({ conversations, next_cursor: null });
    if (url.pathname === "/api/instruments") return json({ instruments: catalogue });
    if (url.pathname === "/api/instruments/NQ") return json({ symbol: "NQ", name: "E-Mini Nasdaq 100", exchange: "CME", timezone: "America/New_York" });
    if (url.pathname === "/api/instruments/6A") {
      return json({ symbol: "6A", name: "Australian Dollar", exchange: "CME", data: { available: false, sample: false, first: null, last: null, bar_sizes: [] } });
    }
    if (url.pathname === "/api/conversations/V/messages/v2/select" && method === "POST") return json({ messages: [history.V![0], firstAnswer] });
    const messages = url.pathname.match(/^\/api\/conversations\/(\w+)\/messages$/);
    if (messages && history[messages[1]!]) return json({ messages: history[messages[1]!] });
    const one = url.pathname.match(/^\/api\/conversations\/(\w+)$/);
    const found = one && conversations.find((c) => c.id === one[1]);
    if (found) return json(found);
    if (url.pathname === "/api/query") {
      const body = JSON.parse(String(init?.body)) as { instrument: string; query: unknown };
      queries.push(body);
      return queryFailures.shift() ?? json(answerQuery(body.query));
    }
    if (/^\/api\/chat\/\w+\/stop$/.test(url.pathname)) return json({ stopped: true });
    if (url.pathname === "/api/chat/stream") {
      asked.push(JSON.parse(String(init?.body)));
      if (chatFailure) return chatFailure;
      const stream = controlledSse();
      streams.push(stream);
      return stream.response;
    }
    return json({ error: "Not here.", code: "NOT_FOUND", request_id: "r" }, 404);
  });
  vi.stubGlobal("fetch", fetchMock);
  return {
    streams,
    asked,
    calls,
    urls,
    queries,
    /** Answers every later `POST /api/query` with `answer(query)` instead of the one-row table. */
    answerQueriesWith: (answer: (query: unknown) => unknown) => {
      answerQuery = answer;
    },
    /** Fails the next `times` `POST /api/query` requests with this error body and status. */
    failQueriesWith: (body: unknown, status: number, times = 1) => {
      queryFailures = Array.from({ length: times }, () => json(body, status));
    },
    failChatWith: (body: unknown, status: number) => {
      chatFailure = json(body, status);
    },
    failCreateWith: (body: unknown, status: number) => {
      createFailure = json(body, status);
    },
  };
}

/** A stored local session (so the app starts signed in) and the browser APIs jsdom lacks. */
export function signInLocally(): void {
  localStorage.setItem("barb-session", JSON.stringify({ token: "t", expiresAt: Date.now() / 1000 + 3600, user: { id: "u", email: "t@example.com" } }));
  vi.stubGlobal("matchMedia", (query: string) => ({ matches: false, media: query, addEventListener: () => undefined, removeEventListener: () => undefined }));
}
