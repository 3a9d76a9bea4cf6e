// The one place errors become HTTP answers: the API's errors by their code; the body
// parser's and router's own HTTP errors by their status; everything else a 500 that says
// nothing about the inside. Pure.
import { ApiError, type ApiErrorCode } from "../errors.ts";
import type { ErrorBody } from "./errors.ts";

/** Each error code's HTTP status: the one place it is decided (README's list is checked against it). */
export const HTTP_STATUS: Record<ApiErrorCode, number> = {
  MalformedJSON: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  Gone: 410,
  MethodNotAllowed: 405,
  NoWebhook: 409,
  NotEnded: 409,
  WebhookRetryPending: 409,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  ValidationError: 422,
  IdempotencyKeyReused: 422,
  RateLimited: 429,
  InternalError: 500,
  Unavailable: 503,
};

/** Names of the statuses a library may throw with, for errors that are not ours. */
const NAMES: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  406: "NotAcceptable",
  408: "RequestTimeout",
  409: "Conflict",
  410: "Gone",
  411: "LengthRequired",
  413: "PayloadTooLarge",
  415: "UnsupportedMediaType",
  422: "ValidationError",
  429: "TooManyRequests",
  501: "NotImplemented",
  503: "Unavailable",
};

export type HttpError = { status: number; headers: Record<string, string>; body: ErrorBody };

const internal = (): HttpError => ({ status: 500, headers: {}, body: { error: "InternalError", message: "internal error" } });

function answerOf(err: ApiError): HttpError {
  if (err.code === "InternalError") return internal();
  return {
    status: HTTP_STATUS[err.code],
    headers: { ...err.headers, ...(err.retryAfterSeconds !== undefined ? { "Retry-After": String(err.retryAfterSeconds) } : {}) },
    body: {
      error: err.code,
      message: err.message,
      ...(err.requestId ? { request_id: err.requestId } : {}),
      ...(err.details ? { details: err.details } : {}),
    },
  };
}

type HttpLikeError = { status?: unknown; statusCode?: unknown; expose?: unknown; type?: unknown; body?: unknown; message?: unknown };

/** What to answer for anything thrown while handling a request. */
export function httpErrorOf(err: unknown, limits: { maxBodyBytes: number }): HttpError {
  if (err instanceof ApiError) return answerOf(err);
  const e = (typeof err === "object" && err !== null ? err : {}) as HttpLikeError;
  const status = typeof e.status === "number" ? e.status : typeof e.statusCode === "number" ? e.statusCode : 500;
  if (status >= 500 || status < 400) return internal();
  if (status === 413 || e.type === "entity.too.large") return answerOf(new ApiError("PayloadTooLarge", `request body is larger than ${limits.maxBodyBytes} bytes`));
  // co-body marks a body it could not parse with status 400 and attaches the raw text.
  if (status === 400 && (err instanceof SyntaxError || "body" in e)) return answerOf(new ApiError("MalformedJSON", "request body is not valid JSON"));
  if (status === 415) return answerOf(new ApiError("UnsupportedMediaType", "unsupported content encoding or charset"));
  const message = e.expose === true && typeof e.message === "string" && e.message ? e.message : (NAMES[status] ?? "BadRequest");
  return { status, headers: {}, body: { error: NAMES[status] ?? "BadRequest", message } };
}
