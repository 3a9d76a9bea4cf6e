// The API's errors as gRPC statuses, with the same messages as REST. Pure.
import { status } from "@grpc/grpc-js";
import { ApiError, type ApiErrorCode } from "../errors.ts";

export type GrpcFailure = { code: status; details: string };

/**
 * A reused Idempotency-Key is ALREADY_EXISTS: the key names an existing request with
 * another body. Codes no gRPC call can meet (a route's method) are
 * INTERNAL, as is anything that is not an API error, and say nothing about the inside.
 */
const GRPC_STATUS: Record<ApiErrorCode, status> = {
  MalformedJSON: status.INVALID_ARGUMENT,
  PayloadTooLarge: status.INVALID_ARGUMENT,
  UnsupportedMediaType: status.INVALID_ARGUMENT,
  ValidationError: status.INVALID_ARGUMENT,
  NotFound: status.NOT_FOUND,
  // The request existed; what it held is gone for good (NOT_FOUND would invite a retry).
  Gone: status.FAILED_PRECONDITION,
  IdempotencyKeyReused: status.ALREADY_EXISTS,
  NoWebhook: status.ALREADY_EXISTS,
  NotEnded: status.ALREADY_EXISTS,
  WebhookRetryPending: status.ALREADY_EXISTS,
  Unavailable: status.UNAVAILABLE,
  Unauthorized: status.UNAUTHENTICATED,
  Forbidden: status.PERMISSION_DENIED,
  RateLimited: status.RESOURCE_EXHAUSTED,
  MethodNotAllowed: status.INTERNAL,
  InternalError: status.INTERNAL,
};

export function grpcFailure(err: unknown): GrpcFailure {
  const code = err instanceof ApiError ? GRPC_STATUS[err.code] : status.INTERNAL;
  if (code === status.INTERNAL || !(err instanceof ApiError)) return { code: status.INTERNAL, details: "internal error" };
  return { code, details: err.message };
}

/** How long a Submit may wait for the end: the server's bound, cut to leave the answer time before the call's deadline. */
export function submitWaitMs(options: { boundMs: number; deadlineMs: number | undefined; nowMs: number }): number {
  if (options.deadlineMs === undefined || !Number.isFinite(options.deadlineMs)) return options.boundMs;
  const remaining = options.deadlineMs - options.nowMs;
  const margin = Math.min(1_000, Math.max(50, remaining * 0.1));
  return Math.max(0, Math.min(options.boundMs, Math.floor(remaining - margin)));
}
