// The gateway's one error model: what a client is told went wrong with its call, by a
// code it can switch on. Thrown anywhere below the routes; nothing here knows HTTP or
// gRPC: http/error-mapping.ts and grpc/status.ts each map a code once to their status.
// Only the gateway answers clients, so its codes live here and not in @chorus/platform.

export type ApiErrorCode =
  /** The body is not JSON (400). */
  | "MalformedJSON"
  /** No API key, or one that is unknown or revoked; or an inbound webhook's signature is missing or wrong (401). */
  | "Unauthorized"
  /** The API key is valid but lacks the scope the call needs (403). */
  | "Forbidden"
  | "NotFound"
  /** The request was erased (DELETE /api/v1/results/{id}): nothing of it can be read any more (410). */
  | "Gone"
  /** A route exists for the path, not for the method (405). */
  | "MethodNotAllowed"
  /** Manual webhook retry of a request that has no webhook (409). */
  | "NoWebhook"
  /** Manual webhook retry of a request that has not ended (409). */
  | "NotEnded"
  /** Manual webhook retry while a delivery chain still runs or a retry was already taken (409). */
  | "WebhookRetryPending"
  | "PayloadTooLarge"
  | "UnsupportedMediaType"
  /** A field, query parameter or header is invalid; `details` names each (422). */
  | "ValidationError"
  /** The Idempotency-Key names an earlier request with another body (422). */
  | "IdempotencyKeyReused"
  /** The API key's rate limit or its cap on open event streams is reached (429). */
  | "RateLimited"
  /** NATS or Postgres is unreachable, or the gateway is stopping (503). */
  | "Unavailable"
  /** A bug: its message is never shown to the client (500). */
  | "InternalError";

/** One thing wrong with the input: the field, query parameter or header (`body` for the body as a whole). */
export type ErrorDetail = { field: string; message: string };

export class ApiError extends Error {
  override name = "ApiError";
  readonly code: ApiErrorCode;
  readonly requestId: string | undefined;
  readonly details: ErrorDetail[] | undefined;
  /** Set when trying again soon may succeed (a dependency is down), not when it cannot. */
  readonly retryAfterSeconds: number | undefined;
  /** HTTP headers the answer carries besides Retry-After (WWW-Authenticate, RateLimit…); gRPC ignores them. */
  readonly headers: Record<string, string>;
  constructor(
    code: ApiErrorCode,
    message: string,
    options: { requestId?: string; details?: ErrorDetail[]; retryAfterSeconds?: number; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.requestId = options.requestId;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.headers = options.headers ?? {};
  }
}

export const validationError = (details: ErrorDetail[]) =>
  new ApiError("ValidationError", `invalid request: ${details.map((d) => `${d.field}: ${d.message}`).join("; ")}`, { details });

export const notFound = (message: string, requestId?: string) => new ApiError("NotFound", message, { requestId });

export const gone = (requestId: string, erasedAt: string) =>
  new ApiError("Gone", `request ${requestId} was erased at ${erasedAt}: its text, outputs and webhook are no longer held`, { requestId });

export const unavailable = (what: string, cause?: unknown, requestId?: string) =>
  new ApiError("Unavailable", `${what} is unavailable; try again shortly`, { cause, requestId, retryAfterSeconds: 5 });

/** JetStream refused to store the request for want of space: nothing was recorded, and it lasts until an operator makes room. */
export const storeFull = (cause: unknown, requestId?: string) =>
  new ApiError("Unavailable", "Chorus cannot record new requests now: its event store is full. Nothing was recorded; try again later", {
    cause,
    requestId,
    retryAfterSeconds: 30,
  });
