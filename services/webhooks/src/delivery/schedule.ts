// When the next attempt of a delivery chain happens, if at all: exponential backoff with
// jitter from a base, at least the receiver's Retry-After, capped; none after the chain's
// last allowed attempt, and none when retrying cannot help.
import type { WebhookGiveUpCause } from "@chorus/contracts";
import type { AttemptOutcome } from "./outcome.ts";

export type RetryPolicy = {
  /** Retries after a chain's first attempt: a chain makes at most maxRetries + 1 attempts. */
  maxRetries: number;
  baseMs: number;
  /** No single wait is longer than this, whatever the backoff or Retry-After says. */
  maxDelayMs: number;
};

/** base · 2^(attempt-1), scaled by a jitter factor in [0.8, 1.2) from `random` in [0, 1). */
export function backoffMs(attempt: number, policy: RetryPolicy, random: number): number {
  const exponential = policy.baseMs * 2 ** Math.max(0, attempt - 1);
  return Math.min(policy.maxDelayMs, Math.round(exponential * (0.8 + 0.4 * random)));
}

export type Decision =
  | { kind: "delivered"; statusCode: number }
  | { kind: "retry"; inMs: number }
  | { kind: "exhausted"; reason: string; cause: WebhookGiveUpCause };

/** What follows the chain's attempt number `attempt` (1-based within the chain) that ended with `outcome`. */
export function decide(outcome: AttemptOutcome, attempt: number, policy: RetryPolicy, random: number): Decision {
  switch (outcome.kind) {
    case "delivered":
      return { kind: "delivered", statusCode: outcome.statusCode };
    case "gone":
      return { kind: "exhausted", reason: "receiver answered 410 Gone", cause: "gone" };
    case "refused":
      return { kind: "exhausted", reason: `refused: ${outcome.error}`, cause: "refused" };
    case "failed": {
      if (attempt >= policy.maxRetries + 1) return { kind: "exhausted", reason: `no success after ${attempt} attempts; last: ${outcome.error}`, cause: "retries_used_up" };
      const wait = Math.max(backoffMs(attempt, policy, random), Math.min(policy.maxDelayMs, outcome.retryAfterMs ?? 0));
      return { kind: "retry", inMs: wait };
    }
    default: {
      const unknown: never = outcome;
      throw new Error(`unknown outcome ${JSON.stringify(unknown)}`);
    }
  }
}
