/** Shapes of the API of `API.md`. Fields the SPA does not rely on are optional: the server may add more. */

export type AuthMode = "local" | "supabase";

export interface AppConfig {
  auth: AuthMode;
  supabase_url?: string;
  supabase_publishable_key?: string;
  llm_configured: boolean;
  version: string;
  /** Absolute base URL for `POST /api/chat/stream` when it is served elsewhere (AWS: a streaming Lambda Function URL). */
  chat_stream_url?: string | null;
}

export interface User {
  id: string;
  email: string;
}

export interface LocalSignIn {
  access_token: string;
  expires_at: number;
  user: User;
}

export interface Instrument {
  symbol: string;
  name?: string;
  exchange?: string;
  exchange_name?: string;
  category?: string;
  timezone?: string;
  /** The session used when a query names none; ETH, when present, defines the trading day. */
  default_session?: string;
  sessions?: Record<string, string[]>;
  tick_size?: number;
  tick_value?: number;
  point_value?: number;
  currency?: string;
  /** The status of the instrument's bars. */
  data?: { available?: boolean; sample?: boolean; first?: string | null; last?: string | null; bar_sizes?: string[] } | null;
  [key: string]: unknown;
}

export interface Conversation {
  id: string;
  instrument: string;
  title: string;
  created_at?: string;
  updated_at?: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export type ColumnType = "date" | "time" | "number" | "integer" | "boolean" | "text";

export interface ResultColumn {
  name: string;
  type: ColumnType | string;
  format?: string;
}

/** The engine's result object (`BARB_SCRIPT.md` §5). */
export interface QueryResult {
  kind: "table" | "grouped" | "scalar" | "values";
  columns: ResultColumn[];
  rows: unknown[][];
  truncated?: boolean;
  total_rows?: number;
  value?: unknown;
  values?: unknown;
  summary?: string;
  chart?: { type: "bar" | "line" | "candles"; x: string; y: string[] } | null;
  source?: {
    bars?: string;
    rows_scanned?: number;
    period?: [string, string] | null;
    session?: string | null;
    /** Every instrument the query read: its own, those of `on()` calls, or a screen's. */
    instruments?: string[];
    /** True when any bar read is a synthetic sample. */
    sample?: boolean;
  };
  warnings?: string[];
  query?: unknown;
  elapsed_ms?: number;
}

export interface ValidationDetail {
  step?: number | null;
  expression?: string | null;
  message: string;
  hint?: string | null;
}

/** One block of a data card. Every block has a type and may carry a title; the rest depends on the type. */
export interface Block {
  type: string;
  title?: string;
  [key: string]: unknown;
}

export interface DataCard {
  tool_call_id?: string;
  title: string;
  /** The normalized Barb Script query that produced the card. */
  query?: unknown;
  blocks: Block[];
  source?: QueryResult["source"];
  warnings?: string[];
}

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens?: number;
  cache_write_tokens?: number;
  cost_usd?: number;
}

export interface StoredToolCall {
  id?: string;
  tool_use_id?: string;
  tool_call_id?: string;
  tool_name: string;
  title?: string;
  input?: unknown;
  error?: string | null;
  duration_ms?: number | null;
}

/**
 * What a chat request asks: a new question (`message`), a new version of a stored question (`message` and
 * `revises`), or the stored question `revises` answered again (`revises` alone).
 */
export interface ChatAsk {
  message?: string;
  revises?: string;
}

export interface StoredMessage {
  id: string;
  role: "user" | "assistant";
  content: string;
  data?: DataCard[] | null;
  tool_calls?: StoredToolCall[] | null;
  usage?: Usage | null;
  /** `partial` when the answer was stopped, `error` when it failed (with `error`). */
  status?: "complete" | "partial" | "error";
  error?: string | null;
  /** The message this one follows: an answer's question, a question's previous answer (null: the first). */
  reply_to?: string | null;
  /** Its versions, itself included, oldest first (regenerated answers, edited questions). */
  versions?: string[];
  created_at?: string;
}

export interface Bars {
  symbol: string;
  tf: string;
  columns: string[];
  data: Record<string, Array<number | null>>;
  sample?: boolean;
  /** True when the limit cut older bars off. */
  truncated?: boolean;
}
