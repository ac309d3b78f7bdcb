import type { ValidationDetail } from "@/lib/api-types";

/** Client-side error codes, beside the server's UPPER_SNAKE codes. */
export const ClientErrorCode = {
  NETWORK: "NETWORK_ERROR",
  BAD_RESPONSE: "BAD_RESPONSE",
  ABORTED: "ABORTED",
} as const;
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/** An API failure carrying the server's sentence (never its raw body), code and request id. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | null;
  readonly details: ValidationDetail[];
  readonly retryAfterMs: number | null;

  constructor(
    message: string,
    init: { status: number; code: string; requestId?: string | null; details?: ValidationDetail[]; retryAfterMs?: number | null },
  ) {
    super(message);
    this.name = "ApiError";
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId ?? null;
    this.details = init.details ?? [];
    this.retryAfterMs = init.retryAfterMs ?? null;
  }
}

function statusSentence(status: number): string {
  if (status === 404) return "We could not find what you asked for.";
  if (status === 429) return "Too many requests. Please wait a moment and try again.";
  if (status >= 500) return "The server ran into a problem. Please try again.";
  return `The request failed (HTTP ${status}).`;
}

function asDetails(v: unknown): ValidationDetail[] {
  if (!Array.isArray(v)) return [];
  return v
    .filter((d): d is Record<string, unknown> => !!d && typeof d === "object")
    .map((d) => ({
      step: typeof d.step === "number" ? d.step : null,
      expression: typeof d.expression === "string" ? d.expression : null,
      message: typeof d.message === "string" ? d.message : typeof d.msg === "string" ? d.msg : "Invalid value.",
      hint: typeof d.hint === "string" ? d.hint : null,
    }));
}

function retryAfter(header: string | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

/** Builds an ApiError from a failed response, reading the `{error, code, request_id, details}` envelope if present. */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  const requestId = response.headers.get("x-request-id");
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const envelope = body && typeof body === "object" ? (body as Record<string, unknown>) : {};
  const sentence = typeof envelope.error === "string" && envelope.error.trim() ? envelope.error : statusSentence(response.status);
  return new ApiError(sentence, {
    status: response.status,
    code: typeof envelope.code === "string" ? envelope.code : `HTTP_${response.status}`,
    requestId: typeof envelope.request_id === "string" ? envelope.request_id : requestId,
    details: asDetails(envelope.details),
    retryAfterMs: retryAfter(response.headers.get("retry-after")),
  });
}

/** The sentence to show a person for any thrown value. */
export function userMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof DOMException && error.name === "AbortError") return "The request was cancelled.";
  if (error instanceof TypeError) return "Could not reach the server. Check your connection and try again.";
  if (error instanceof Error && error.message) return error.message;
  return "Something went wrong. Please try again.";
}

/** A 404 from the API: what was asked for does not exist (for this user), so trying again will not help. */
export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

export function isAbort(error: unknown): boolean {
  return (
    (error instanceof DOMException && error.name === "AbortError") ||
    (error instanceof ApiError && error.code === ClientErrorCode.ABORTED)
  );
}
