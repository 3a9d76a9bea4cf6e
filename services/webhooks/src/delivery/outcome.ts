// What one attempt's answer means, as Standard Webhooks advises: 2xx delivered; 410
// gone (stop); anything else, a timeout or a network error, a failure worth retrying,
// with the receiver's Retry-After honoured on 429 and 503. 3xx is a failure: no redirects.

export type AttemptResponse =
  | { kind: "answered"; statusCode: number; retryAfter: string | undefined }
  | { kind: "no-answer"; error: string }
  | { kind: "refused"; error: string };

export type AttemptOutcome =
  | { kind: "delivered"; statusCode: number }
  | { kind: "gone"; statusCode: number }
  | { kind: "failed"; statusCode: number | null; error: string; retryAfterMs: number | null }
  /** The target may not be reached at all (SSRF check): retrying cannot help. */
  | { kind: "refused"; error: string };

/** Retry-After as delta-seconds or an HTTP date, in ms from `nowMs`; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, nowMs: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

export function classify(response: AttemptResponse, nowMs: number): AttemptOutcome {
  switch (response.kind) {
    case "refused":
      return { kind: "refused", error: response.error };
    case "no-answer":
      return { kind: "failed", statusCode: null, error: response.error, retryAfterMs: null };
    case "answered": {
      const code = response.statusCode;
      if (code >= 200 && code < 300) return { kind: "delivered", statusCode: code };
      if (code === 410) return { kind: "gone", statusCode: code };
      const honoured = code === 429 || code === 503 ? retryAfterMs(response.retryAfter, nowMs) : null;
      const error = code >= 300 && code < 400 ? `HTTP ${code} (redirects are not followed)` : `HTTP ${code}`;
      return { kind: "failed", statusCode: code, error, retryAfterMs: honoured };
    }
    default: {
      const unknown: never = response;
      throw new Error(`unknown response ${JSON.stringify(unknown)}`);
    }
  }
}
