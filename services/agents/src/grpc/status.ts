// What a provider call's end means as a gRPC status for Agent.Analyze. Pure.
import { status } from "@grpc/grpc-js";
import type { ProviderAttempt } from "../task-outcome.ts";
import { readProviderError } from "../task-outcome.ts";

export type GrpcFailure = { code: status; message: string };

/** The status of a call that did not answer: deadline, or the provider's error read as task-outcome reads it. */
export function failureStatus(attempt: Exclude<ProviderAttempt, { kind: "answered" }>): GrpcFailure {
  if (attempt.kind === "timed_out") return { code: status.DEADLINE_EXCEEDED, message: "no answer from the provider before the deadline" };
  const e = readProviderError(attempt.error);
  const message = `${e.code}: ${e.message}`;
  if (e.code === "rate_limited") return { code: status.RESOURCE_EXHAUSTED, message };
  if (e.retryable) return { code: status.UNAVAILABLE, message };
  if (e.code === "aborted") return { code: status.CANCELLED, message };
  return { code: status.INTERNAL, message };
}
