// The API's errors as gRPC statuses, with the same messages as REST. Pure.
import { status } from "@grpc/grpc-js";
import { ApiError } from "../http/errors.ts";

export type GrpcFailure = { code: status; details: string };

/**
 * 400/413/415/422 → INVALID_ARGUMENT, 404 → NOT_FOUND, a reused Idempotency-Key →
 * ALREADY_EXISTS (the key names an existing request with another body), 503 → UNAVAILABLE;
 * anything else is INTERNAL and says nothing about the inside.
 */
export function grpcFailure(err: unknown): GrpcFailure {
  if (!(err instanceof ApiError)) return { code: status.INTERNAL, details: "internal error" };
  if (err.error === "IdempotencyKeyReused") return { code: status.ALREADY_EXISTS, details: err.message };
  switch (err.status) {
    case 400:
    case 413:
    case 415:
    case 422:
      return { code: status.INVALID_ARGUMENT, details: err.message };
    case 404:
      return { code: status.NOT_FOUND, details: err.message };
    case 409:
      return { code: status.ALREADY_EXISTS, details: err.message };
    case 503:
      return { code: status.UNAVAILABLE, details: err.message };
    default:
      return { code: status.INTERNAL, details: "internal error" };
  }
}

/** How long a Submit may wait for the end: the server's bound, cut to leave the answer time before the call's deadline. */
export function submitWaitMs(options: { boundMs: number; deadlineMs: number | undefined; nowMs: number }): number {
  if (options.deadlineMs === undefined || !Number.isFinite(options.deadlineMs)) return options.boundMs;
  const remaining = options.deadlineMs - options.nowMs;
  const margin = Math.min(1_000, Math.max(50, remaining * 0.1));
  return Math.max(0, Math.min(options.boundMs, Math.floor(remaining - margin)));
}
