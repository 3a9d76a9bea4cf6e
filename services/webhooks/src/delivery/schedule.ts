// When the next attempt of a delivery chain happens, if at all: the chain's n-th retry
// waits the n-th entry of the retry schedule (the last entry for any retry beyond it),
// jittered, and at least the receiver's Retry-After within a bound; none after the chain's
// last allowed attempt, and none when retrying cannot help. The default schedule is the
// Standard Webhooks senders' spread over hours, so a receiver down for an afternoon still
// gets its deliveries.
import type { WebhookGiveUpCause } from "@chorus/contracts";
import type { AttemptOutcome } from "./outcome.ts";

export type RetryPolicy = {
  /** Retries after a chain's first attempt: a chain makes at most maxRetries + 1 attempts. */
  maxRetries: number;
  /** Waits before the 1st, 2nd, … retry; retries beyond its length wait its last entry. */
  scheduleMs: readonly number[];
  /** The longest wait a Retry-After may ask for; a longer one is cut to this. */
  maxRetryAfterMs: number;
  /**
   * How long, from its start, a chain may keep waiting for an open circuit (waits use no
   * attempts, so only time ends them) before it is exhausted (cause `expired`). Default:
   * chainDeadlineMs.
   */
  chainDeadlineMs?: number;
};

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** 5 s, 5 min, 30 min, 2 h, 5 h, 10 h: the schedule Standard Webhooks senders use (Svix's). */
export const DEFAULT_RETRY_SCHEDULE = "5s,5m,30m,2h,5h,10h";
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [5 * UNIT_MS.s, 5 * UNIT_MS.m, 30 * UNIT_MS.m, 2 * UNIT_MS.h, 5 * UNIT_MS.h, 10 * UNIT_MS.h];

/** "5s,5m,2h" → [5000, 300000, 7200000]; a reason when it is not a list of positive durations. */
export function parseRetrySchedule(text: string): number[] | { error: string } {
  const entries = text.split(",").map((s) => s.trim());
  const waits: number[] = [];
  for (const entry of entries) {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(entry);
    if (!match) return { error: `"${entry}" is not a duration such as 500ms, 5s, 5m, 2h or 1d` };
    const ms = Math.round(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]);
    if (ms < 1 || ms > 7 * UNIT_MS.d) return { error: `"${entry}" is outside 1 ms to 7 days` };
    waits.push(ms);
  }
  return waits;
}

/**
 * A chain's deadline for circuit waits unless one is set: its scheduled waits with
 * jitter's 20 % and an hour more, so a chain whose endpoint recovers within about as long
 * as the schedule runs is still delivered. Default schedule and retries: about 10 h 10 min.
 */
export function chainDeadlineMs(policy: RetryPolicy): number {
  if (policy.chainDeadlineMs !== undefined) return policy.chainDeadlineMs;
  let planned = 0;
  for (let retry = 1; retry <= policy.maxRetries; retry++) planned += policy.scheduleMs[Math.min(retry, policy.scheduleMs.length) - 1] ?? 0;
  return Math.round(planned * 1.2) + UNIT_MS.h;
}

/** The earlier schedule, for WEBHOOK_BACKOFF_BASE_MS: base · 2^(n-1) for the n-th retry, capped. */
export function doublingSchedule(baseMs: number, retries: number, capMs: number): number[] {
  return Array.from({ length: Math.max(1, retries) }, (_, i) => Math.min(capMs, baseMs * 2 ** i));
}

/** The wait before the chain's retry number `retry` (1-based), scaled by a jitter factor in [0.8, 1.2) from `random` in [0, 1). */
export function scheduledWaitMs(retry: number, policy: RetryPolicy, random: number): number {
  const { scheduleMs } = policy;
  const planned = scheduleMs[Math.min(Math.max(1, retry), scheduleMs.length) - 1] ?? 0;
  return Math.round(planned * (0.8 + 0.4 * random));
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
      // Retry-After says "not before": it can lengthen the schedule's wait, never shorten it.
      const wait = Math.max(scheduledWaitMs(attempt, policy, random), Math.min(policy.maxRetryAfterMs, outcome.retryAfterMs ?? 0));
      return { kind: "retry", inMs: wait };
    }
    default: {
      const unknown: never = outcome;
      throw new Error(`unknown outcome ${JSON.stringify(unknown)}`);
    }
  }
}
