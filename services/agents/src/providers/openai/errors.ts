// What an error from the OpenAI SDK means for the task: 429, 5xx, connection errors and
// timeouts are worth retrying (after Retry-After when the server gives one); any
// other 4xx is an answer that asking again will not change.
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { ProviderError } from "../provider.ts";

/** Milliseconds from `retry-after-ms`, or `retry-after` as seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(headers: Pick<Headers, "get"> | undefined, nowMs: number): number | null {
  if (!headers) return null;
  const ms = Number(headers.get("retry-after-ms"));
  if (headers.get("retry-after-ms") !== null && Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get("retry-after");
  if (value === null || value.trim() === "") return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : null;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

/** Reads an SDK (or network) error as a ProviderError saying whether to retry. */
export function classifyOpenAiError(err: unknown, nowMs: number): ProviderError {
  if (err instanceof ProviderError) return err;
  // Order matters: the timeout error is a connection error, and both are APIErrors.
  if (err instanceof APIConnectionTimeoutError) {
    return new ProviderError("the request to the OpenAI API timed out", { code: "timeout", retryable: true, cause: err });
  }
  if (err instanceof APIUserAbortError) {
    return new ProviderError("the call was aborted", { code: "aborted", retryable: false, cause: err });
  }
  if (err instanceof APIConnectionError) {
    return new ProviderError(`cannot reach the OpenAI API: ${err.message}`, { code: "unavailable", retryable: true, cause: err });
  }
  if (err instanceof APIError && typeof err.status === "number") {
    const status = err.status;
    const hint = retryAfterMs(err.headers, nowMs) ?? undefined;
    const message = `OpenAI API answered ${status}: ${err.message}`;
    if (status === 429) return new ProviderError(message, { code: "rate_limited", retryable: true, retryAfterMs: hint, cause: err });
    if (status >= 500 || status === 408 || status === 409) {
      return new ProviderError(message, { code: "unavailable", retryable: true, retryAfterMs: hint, cause: err });
    }
    if (status === 401 || status === 403) return new ProviderError(message, { code: "auth", retryable: false, cause: err });
    return new ProviderError(message, { code: "bad_request", retryable: false, cause: err });
  }
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return new ProviderError(message, { code: "provider_error", retryable: false, cause: err });
}
