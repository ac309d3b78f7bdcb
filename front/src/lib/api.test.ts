import { describe, expect, it, vi } from "vitest";
import { ApiClient, type ApiOptions, type TokenSource } from "@/lib/api";
import { ApiError, userMessage } from "@/lib/errors";

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });

function client(responses: Array<Response | Error>, tokens?: TokenSource, options: ApiOptions = {}) {
  const fetchMock = vi.fn(async () => {
    const next = responses.shift();
    if (!next) throw new Error("no more responses");
    if (next instanceof Error) throw next;
    return next;
  });
  const sleep = vi.fn(async () => undefined);
  const api = new ApiClient({ baseUrl: "https://api.test", tokens, fetch: fetchMock as unknown as typeof fetch, sleep, ...options });
  return { api, fetchMock, sleep };
}

describe("ApiClient", () => {
  it("shows the server's sentence, code and request id, never the raw body", async () => {
    const { api } = client([json({ error: "Unknown instrument 'ZZ'.", code: "NOT_FOUND", request_id: "r-1" }, 404)]);
    const error = await api.instrument("ZZ").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ message: "Unknown instrument 'ZZ'.", code: "NOT_FOUND", requestId: "r-1", status: 404 });
  });

  it("turns a non-JSON error into a sentence", async () => {
    const { api } = client([new Response("<html>Bad gateway</html>", { status: 500 })]);
    await expect(api.query("NQ", {})).rejects.toThrow("The server ran into a problem. Please try again.");
  });

  it("keeps validation details from a 422", async () => {
    const details = [{ step: 1, expression: "close >", message: "Incomplete expression.", hint: "Add a value." }];
    const { api } = client([json({ error: "The query is invalid.", code: "VALIDATION_ERROR", request_id: "r", details }, 422)]);
    const error = (await api.query("NQ", {}).catch((e: unknown) => e)) as ApiError;
    expect(error.details).toEqual(details);
  });

  it("retries idempotent GETs with backoff on network errors and 503, honouring Retry-After", async () => {
    const { api, fetchMock, sleep } = client([
      new TypeError("fetch failed"),
      json({ error: "Busy.", code: "UNAVAILABLE", request_id: "r" }, 503, { "Retry-After": "2" }),
      json([{ symbol: "NQ" }]),
    ]);
    expect(await api.instruments()).toEqual([{ symbol: "NQ" }]);
    expect(fetchMock).toHaveBeenCalledTimes(3);
    expect(sleep.mock.calls).toEqual([[400], [2000]]);
  });

  it("never retries a POST", async () => {
    const { api, fetchMock } = client([json({ error: "Busy.", code: "UNAVAILABLE", request_id: "r" }, 503)]);
    await expect(api.createConversation("NQ")).rejects.toThrow("Busy.");
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it("refreshes the token once after a 401, then signs out if it still fails", async () => {
    const tokens = { getToken: vi.fn(async (o?: { forceRefresh?: boolean }) => (o?.forceRefresh ? "fresh" : "stale")), onUnauthorized: vi.fn() };
    const ok = client([json({ error: "Expired.", code: "AUTH_EXPIRED", request_id: "r" }, 401), json({ items: [], next_cursor: null })], tokens);
    expect(await ok.api.conversations({})).toEqual({ items: [], next_cursor: null });
    expect(tokens.getToken.mock.calls.map((c) => c[0])).toEqual([{ forceRefresh: false }, { forceRefresh: true }]);
    expect(tokens.onUnauthorized).not.toHaveBeenCalled();

    const bad = client([json({ error: "Expired.", code: "AUTH_EXPIRED", request_id: "r" }, 401), json({ error: "Invalid.", code: "AUTH_INVALID", request_id: "r" }, 401)], tokens);
    await expect(bad.api.userInstruments()).rejects.toThrow("Invalid.");
    expect(tokens.onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it("sends the bearer token and JSON body", async () => {
    const tokens = { getToken: async () => "tok", onUnauthorized: vi.fn() };
    const { api, fetchMock } = client([json({ id: "c1", instrument: "NQ", title: "New chat" }, 201)], tokens);
    await api.createConversation("NQ");
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("https://api.test/api/conversations");
    expect(init.headers).toMatchObject({ Authorization: "Bearer tok", "Content-Type": "application/json" });
    expect(init.body).toBe('{"instrument":"NQ"}');
  });

  it("builds query strings without empty values", () => {
    const { api } = client([]);
    expect(api.url("/api/instruments/NQ/bars", { tf: "daily", from: undefined, limit: 500, to: "" })).toBe(
      "https://api.test/api/instruments/NQ/bars?tf=daily&limit=500",
    );
  });

  it("explains network failures in words", () => {
    expect(userMessage(new TypeError("Failed to fetch"))).toBe("Could not reach the server. Check your connection and try again.");
  });
});

describe("ApiClient chat stream URL", () => {
  const FUNCTION_URL = "https://xyz.lambda-url.eu-central-1.on.aws";
  const tokens = () => ({ getToken: vi.fn(async (o?: { forceRefresh?: boolean }) => (o?.forceRefresh ? "fresh" : "tok")), onUnauthorized: vi.fn() });
  const sse = () => new Response("event: done\ndata: {}\n\n", { status: 200, headers: { "Content-Type": "text/event-stream" } });
  const calls = (fetchMock: ReturnType<typeof vi.fn>) => fetchMock.mock.calls as unknown as Array<[string, RequestInit]>;

  it("sends the stream to the configured Function URL with the bearer token and JSON body", async () => {
    const { api, fetchMock } = client([sse()], tokens(), { streamBaseUrl: `${FUNCTION_URL}/` });
    const response = await api.chatStream("c1", { message: "How often do gaps fill?" });
    expect(response.headers.get("Content-Type")).toBe("text/event-stream");
    const [[url, init]] = calls(fetchMock) as [[string, RequestInit]];
    expect(url).toBe(`${FUNCTION_URL}/api/chat/stream`);
    expect(init.method).toBe("POST");
    expect(init.headers).toMatchObject({ Authorization: "Bearer tok", "Content-Type": "application/json" });
    expect(init.body).toBe('{"conversation_id":"c1","message":"How often do gaps fill?"}');
  });

  it("refreshes the token after a 401 and retries at the Function URL", async () => {
    const source = tokens();
    const { api, fetchMock } = client([json({ error: "Expired.", code: "AUTH_EXPIRED", request_id: "r" }, 401), sse()], source, {
      streamBaseUrl: FUNCTION_URL,
    });
    await api.chatStream("c1", { message: "q" });
    expect(calls(fetchMock).map(([url, init]) => `${url} ${(init.headers as Record<string, string>).Authorization}`)).toEqual([
      `${FUNCTION_URL}/api/chat/stream Bearer tok`,
      `${FUNCTION_URL}/api/chat/stream Bearer fresh`,
    ]);
    expect(source.onUnauthorized).not.toHaveBeenCalled();
  });

  it.each([undefined, null])("sends the stream to the base URL when chat_stream_url is %s", async (streamBaseUrl) => {
    const { api, fetchMock } = client([sse()], tokens(), { streamBaseUrl });
    await api.chatStream("c1", { message: "q" });
    expect(calls(fetchMock)[0]![0]).toBe("https://api.test/api/chat/stream");
  });

  it("keeps stop and every other request on the base URL", async () => {
    const { api, fetchMock } = client([json({ stopped: true }), json({ items: [], next_cursor: null })], tokens(), { streamBaseUrl: FUNCTION_URL });
    await api.stopChat("c1");
    await api.conversations({});
    expect(calls(fetchMock).map(([url, init]) => `${init.method} ${url}`)).toEqual([
      "POST https://api.test/api/chat/c1/stop",
      "GET https://api.test/api/conversations",
    ]);
  });

  it.each(["", "   ", "not a url", "/api", "xyz.lambda-url.eu-central-1.on.aws", "ftp://xyz.example", "javascript:alert(1)", "https://xyz.example/?a=1", "https://u:p@xyz.example"])(
    "falls back to the base URL for %j",
    async (streamBaseUrl) => {
      const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
      const { api, fetchMock } = client([sse()], tokens(), { streamBaseUrl });
      await api.chatStream("c1", { message: "q" });
      expect(calls(fetchMock)[0]![0]).toBe("https://api.test/api/chat/stream");
      expect(warn).toHaveBeenCalledTimes(streamBaseUrl.trim() ? 1 : 0);
      warn.mockRestore();
    },
  );
});
