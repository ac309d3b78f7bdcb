import type {
  AppConfig,
  Bars,
  ChatAsk,
  Conversation,
  Instrument,
  LocalSignIn,
  Page,
  QueryResult,
  StoredMessage,
} from "@/lib/api-types";
import { ApiError, ClientErrorCode, errorFromResponse } from "@/lib/errors";

/** Where the client gets its bearer token; `forceRefresh` is asked for once after a 401. */
export interface TokenSource {
  getToken(options?: { forceRefresh?: boolean }): Promise<string | null>;
  onUnauthorized(): void;
}

export interface ApiOptions {
  baseUrl?: string;
  /** `AppConfig.chat_stream_url`: where `POST /api/chat/stream` goes; absent, null or invalid means `baseUrl`. */
  streamBaseUrl?: string | null;
  tokens?: TokenSource;
  fetch?: typeof fetch;
  /** Delays between GET retries (ms); the number of entries is the number of retries. */
  retryDelays?: number[];
  sleep?: (ms: number) => Promise<void>;
}

interface RequestOptions {
  /** Overrides the client's base URL for this request. */
  baseUrl?: string;
  body?: unknown;
  auth?: boolean;
  signal?: AbortSignal;
  query?: Record<string, string | number | undefined | null>;
}

const RETRYABLE_STATUS = new Set([408, 429, 502, 503, 504]);
const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The base URL from `VITE_API_URL`, without a trailing slash; empty means same origin. */
export function apiBaseUrl(): string {
  const value = (import.meta.env.VITE_API_URL as string | undefined) ?? "";
  return value.replace(/\/+$/, "");
}

/** An absolute http(s) base URL without a trailing slash, or null for anything else (relative, other scheme, query, credentials). */
function absoluteBaseUrl(value: unknown): string | null {
  if (typeof value !== "string" || !value.trim()) return null;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return null;
  }
  if ((url.protocol !== "https:" && url.protocol !== "http:") || url.search || url.hash || url.username || url.password) return null;
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
}

function asList<T>(body: unknown, key: string): T[] {
  if (Array.isArray(body)) return body as T[];
  if (body && typeof body === "object") {
    const record = body as Record<string, unknown>;
    for (const k of [key, "items", "data"]) if (Array.isArray(record[k])) return record[k] as T[];
  }
  return [];
}

/**
 * The HTTP client for `API.md`. GETs are retried with backoff on network errors and 408/429/5xx; a 401 on an
 * authenticated call refreshes the token and retries once, then signs out through `TokenSource.onUnauthorized`.
 */
export class ApiClient {
  private readonly baseUrl: string;
  private readonly streamBaseUrl: string;
  private readonly tokens: TokenSource | undefined;
  private readonly fetchImpl: typeof fetch;
  private readonly retryDelays: number[];
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: ApiOptions = {}) {
    this.baseUrl = options.baseUrl ?? apiBaseUrl();
    const streamBaseUrl = absoluteBaseUrl(options.streamBaseUrl);
    if (options.streamBaseUrl?.trim() && !streamBaseUrl) {
      console.warn(`Ignoring chat_stream_url ${JSON.stringify(options.streamBaseUrl)}: not an absolute http(s) URL.`);
    }
    this.streamBaseUrl = streamBaseUrl ?? this.baseUrl;
    this.tokens = options.tokens;
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.retryDelays = options.retryDelays ?? [400, 1200, 3000];
    this.sleep = options.sleep ?? defaultSleep;
  }

  url(path: string, query?: RequestOptions["query"], baseUrl = this.baseUrl): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== "") params.set(k, String(v));
    const qs = params.toString();
    return `${baseUrl}${path}${qs ? `?${qs}` : ""}`;
  }

  /** Sends a request and returns the raw successful response (used directly by the chat stream). */
  async send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const auth = options.auth ?? true;
    const attempts = method === "GET" ? this.retryDelays.length + 1 : 1;
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { Accept: "application/json, text/event-stream" };
      if (options.body !== undefined) headers["Content-Type"] = "application/json";
      if (auth && this.tokens) {
        const token = await this.tokens.getToken({ forceRefresh: refreshed });
        if (token) headers.Authorization = `Bearer ${token}`;
      }
      let response: Response;
      try {
        response = await this.fetchImpl(this.url(path, options.query, options.baseUrl), {
          method,
          headers,
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
          signal: options.signal,
        });
      } catch {
        if (options.signal?.aborted) throw new ApiError("The request was cancelled.", { status: 0, code: ClientErrorCode.ABORTED });
        if (attempt + 1 < attempts) {
          await this.sleep(this.retryDelays[attempt] ?? 1000);
          continue;
        }
        throw new ApiError("Could not reach the server. Check your connection and try again.", {
          status: 0,
          code: ClientErrorCode.NETWORK,
        });
      }
      if (response.ok) return response;
      if (response.status === 401 && auth && this.tokens) {
        if (!refreshed) {
          refreshed = true;
          attempt--;
          continue;
        }
        const error = await errorFromResponse(response);
        this.tokens.onUnauthorized();
        throw error;
      }
      if (RETRYABLE_STATUS.has(response.status) && attempt + 1 < attempts) {
        const error = await errorFromResponse(response);
        await this.sleep(error.retryAfterMs ?? this.retryDelays[attempt] ?? 1000);
        continue;
      }
      throw await errorFromResponse(response);
    }
  }

  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(method, path, options);
    if (response.status === 204) return undefined as T;
    try {
      return (await response.json()) as T;
    } catch {
      throw new ApiError("The server sent a response we could not read.", {
        status: response.status,
        code: ClientErrorCode.BAD_RESPONSE,
        requestId: response.headers.get("x-request-id"),
      });
    }
  }

  config(): Promise<AppConfig> {
    return this.json("GET", "/api/config", { auth: false });
  }

  localSignIn(email: string): Promise<LocalSignIn> {
    return this.json("POST", "/api/auth/local/sign-in", { auth: false, body: { email } });
  }

  async instruments(search = "", signal?: AbortSignal): Promise<Instrument[]> {
    return asList(await this.json("GET", "/api/instruments", { auth: false, query: { search }, signal }), "instruments");
  }

  instrument(symbol: string, signal?: AbortSignal): Promise<Instrument> {
    return this.json("GET", `/api/instruments/${encodeURIComponent(symbol)}`, { auth: false, signal });
  }

  bars(
    symbol: string,
    query: { tf: string; from?: number; to?: number; limit?: number },
    signal?: AbortSignal,
  ): Promise<Bars> {
    return this.json("GET", `/api/instruments/${encodeURIComponent(symbol)}/bars`, { auth: false, query, signal });
  }

  async userInstruments(signal?: AbortSignal): Promise<Instrument[]> {
    const body = await this.json<unknown>("GET", "/api/user-instruments", { signal });
    return asList<Instrument & { instrument?: string }>(body, "instruments").map((row) => ({
      ...row,
      symbol: String(row.symbol ?? row.instrument ?? ""),
    }));
  }

  addUserInstrument(symbol: string): Promise<unknown> {
    return this.json("POST", "/api/user-instruments", { body: { symbol } });
  }

  removeUserInstrument(symbol: string): Promise<unknown> {
    return this.json("DELETE", `/api/user-instruments/${encodeURIComponent(symbol)}`);
  }

  async conversations(query: { instrument?: string; limit?: number; cursor?: string | null }, signal?: AbortSignal): Promise<Page<Conversation>> {
    const body = await this.json<unknown>("GET", "/api/conversations", { query, signal });
    const items = asList<Conversation>(body, "conversations");
    const cursor = body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>).next_cursor : null;
    return { items, next_cursor: typeof cursor === "string" && cursor ? cursor : null };
  }

  createConversation(instrument: string, title?: string): Promise<Conversation> {
    return this.json("POST", "/api/conversations", { body: title ? { instrument, title } : { instrument } });
  }

  conversation(id: string, signal?: AbortSignal): Promise<Conversation> {
    return this.json("GET", `/api/conversations/${encodeURIComponent(id)}`, { signal });
  }

  renameConversation(id: string, title: string): Promise<Conversation> {
    return this.json("PATCH", `/api/conversations/${encodeURIComponent(id)}`, { body: { title } });
  }

  deleteConversation(id: string): Promise<unknown> {
    return this.json("DELETE", `/api/conversations/${encodeURIComponent(id)}`);
  }

  async messages(id: string, signal?: AbortSignal): Promise<StoredMessage[]> {
    return asList(await this.json("GET", `/api/conversations/${encodeURIComponent(id)}/messages`, { signal }), "messages");
  }

  /** Opens the chat stream (at `streamBaseUrl` when configured); the caller reads the body with `readSse`. */
  chatStream(conversationId: string, ask: ChatAsk, signal?: AbortSignal): Promise<Response> {
    return this.send("POST", "/api/chat/stream", {
      baseUrl: this.streamBaseUrl,
      body: { conversation_id: conversationId, ...ask },
      signal,
    });
  }

  /** Shows another version of a message; returns the conversation's messages as they now read. */
  async selectVersion(conversationId: string, messageId: string): Promise<StoredMessage[]> {
    const path = `/api/conversations/${encodeURIComponent(conversationId)}/messages/${encodeURIComponent(messageId)}/select`;
    return asList(await this.json("POST", path, { body: {} }), "messages");
  }

  stopChat(conversationId: string): Promise<unknown> {
    return this.json("POST", `/api/chat/${encodeURIComponent(conversationId)}/stop`, { body: {} });
  }

  query(instrument: string, query: unknown, signal?: AbortSignal): Promise<QueryResult> {
    return this.json("POST", "/api/query", { body: { instrument, query }, signal });
  }
}
