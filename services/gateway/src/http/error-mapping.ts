// Maps anything thrown while handling a request to the API's error shape: our own
// ApiErrors as they are, the body parser's and router's HTTP errors by their status,
// and everything else to a 500 that says nothing about the inside.
import { ChorusError, type ChorusErrorCode } from "@chorus/platform";
import { ApiError, internalError } from "./errors.ts";

const NAMES: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  406: "NotAcceptable",
  408: "RequestTimeout",
  409: "Conflict",
  411: "LengthRequired",
  413: "PayloadTooLarge",
  415: "UnsupportedMediaType",
  422: "ValidationError",
  429: "TooManyRequests",
  501: "NotImplemented",
  503: "Unavailable",
};

const CHORUS_STATUS: Record<ChorusErrorCode, number> = {
  ValidationError: 422,
  NotFound: 404,
  Conflict: 409,
  Unavailable: 503,
  Unauthorized: 401,
  PayloadTooLarge: 413,
  MalformedRequest: 400,
  Internal: 500,
};

type HttpLikeError = { status?: unknown; statusCode?: unknown; expose?: unknown; type?: unknown; body?: unknown; message?: unknown };

export function toApiError(err: unknown, limits: { maxBodyBytes: number }): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof ChorusError) {
    const status = CHORUS_STATUS[err.code];
    return status >= 500 && status !== 503 ? internalError(err) : new ApiError(status, err.code, err.message, { cause: err });
  }
  const e = (typeof err === "object" && err !== null ? err : {}) as HttpLikeError;
  const status = typeof e.status === "number" ? e.status : typeof e.statusCode === "number" ? e.statusCode : 500;
  if (status >= 500 || status < 400) return internalError(err);
  if (status === 413 || e.type === "entity.too.large") {
    return new ApiError(413, "PayloadTooLarge", `request body is larger than ${limits.maxBodyBytes} bytes`, { cause: err });
  }
  // co-body marks a body it could not parse with status 400 and attaches the raw text.
  if (status === 400 && (err instanceof SyntaxError || "body" in e)) {
    return new ApiError(400, "MalformedJSON", "request body is not valid JSON", { cause: err });
  }
  if (status === 415) return new ApiError(415, "UnsupportedMediaType", "unsupported content encoding or charset", { cause: err });
  const message = e.expose === true && typeof e.message === "string" && e.message ? e.message : (NAMES[status] ?? "BadRequest");
  return new ApiError(status, NAMES[status] ?? "BadRequest", message, { cause: err });
}
