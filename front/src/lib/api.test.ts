import { describe, expect, it, vi } from "vitest";
import { ApiClient, type TokenSource } from "@/lib/api";
import { ApiError, userMessage } from "@/lib/errors";

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });

function client(responses: Array<Response | Error>, tokens?: TokenSource) {
  const fetchMock = vi.fn(async () => {
    const next = responses.shift();
    if (!next) throw new Error("no more responses");
    if (next instanceof Error) throw next;
    return next;
  });
  const sleep = vi.fn(async () => undefined);
  const api = new ApiClient({ baseUrl: "https://api.test", tokens, fetch: fetchMock as unknown as typeof fetch, sleep });
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
