import { describe, expect, it } from "vitest";
import type { RequestEndEvent } from "@chorus/contracts";
import { DEFAULT_RETRY_SCHEDULE, DEFAULT_RETRY_SCHEDULE_MS, classify, decide, doublingSchedule, nextStep, parseRetrySchedule, retryAfterMs, scheduledWaitMs, webhookIdOf, webhookPayload, type Chain, type RetryPolicy } from "./index.ts";

const policy: RetryPolicy = { maxRetries: 5, scheduleMs: [1_000, 2_000, 4_000, 8_000, 16_000], maxRetryAfterMs: 60_000 };
const NOW = Date.parse("2026-11-25T10:00:00Z");

const end: RequestEndEvent = {
  id: "0b9f5c1e-4a8a-4d0c-9b56-3f1f0f2a9e11",
  type: "RequestFailed",
  version: 1,
  request_id: "6a3c1f6e-0f55-4b8e-9a4e-2b1d4c9e8f00",
  tenant_id: "default",
  occurred_at: "2026-11-25T10:00:05.000Z",
  correlation_id: "c-1",
  data: {
    status: "failed",
    results: {},
    duration_ms: 5000,
    webhook: { url: "https://example.com/hook", secret: "v1.aaaa.bbbb.cccc" },
    orchestration_mode: "parallel",
    agents: ["sentiment"],
    created_at: "2026-11-25T10:00:00.000Z",
  },
};

describe("webhookPayload", () => {
  it("carries the end's status and results, and never the webhook or its secret", () => {
    const payload = webhookPayload(end);
    expect(payload).toEqual({
      event: "request.failed",
      request_id: end.request_id,
      status: "failed",
      results: {},
      created_at: "2026-11-25T10:00:00.000Z",
      completed_at: "2026-11-25T10:00:05.000Z",
    });
    expect(JSON.stringify(payload)).not.toContain("v1.aaaa");
  });

  it("derives the webhook-id from the end event, so every delivery of that end shares it", () => {
    expect(webhookIdOf(end)).toBe("msg_0b9f5c1e4a8a4d0c9b563f1f0f2a9e11");
    expect(webhookIdOf({ id: "11111111-1111-4111-8111-111111111111" })).not.toBe(webhookIdOf(end));
  });
});

describe("classify", () => {
  const answered = (statusCode: number, retryAfter?: string) => classify({ kind: "answered", statusCode, retryAfter }, NOW);

  it("takes every 2xx as delivered", () => {
    expect(answered(200)).toEqual({ kind: "delivered", statusCode: 200 });
    expect(answered(204)).toEqual({ kind: "delivered", statusCode: 204 });
  });

  it("stops at 410 Gone", () => {
    expect(answered(410)).toEqual({ kind: "gone", statusCode: 410 });
  });

  it("fails 3xx without following, and 4xx/5xx", () => {
    expect(answered(302)).toMatchObject({ kind: "failed", statusCode: 302, error: "HTTP 302 (redirects are not followed)" });
    expect(answered(500)).toMatchObject({ kind: "failed", statusCode: 500, retryAfterMs: null });
    expect(answered(404)).toMatchObject({ kind: "failed", statusCode: 404 });
  });

  it("honours Retry-After on 429 and 503 only", () => {
    expect(answered(429, "7")).toMatchObject({ retryAfterMs: 7000 });
    expect(answered(503, "Wed, 25 Nov 2026 10:00:30 GMT")).toMatchObject({ retryAfterMs: 30_000 });
    expect(answered(500, "7")).toMatchObject({ retryAfterMs: null });
  });

  it("fails a timeout or network error with no status code, and passes a refusal through", () => {
    expect(classify({ kind: "no-answer", error: "no answer within 1000 ms" }, NOW)).toEqual({ kind: "failed", statusCode: null, error: "no answer within 1000 ms", retryAfterMs: null });
    expect(classify({ kind: "refused", error: "loopback" }, NOW)).toEqual({ kind: "refused", error: "loopback" });
  });
});

describe("retryAfterMs", () => {
  it("reads seconds and HTTP dates, and ignores garbage", () => {
    expect(retryAfterMs("0", NOW)).toBe(0);
    expect(retryAfterMs(" 120 ", NOW)).toBe(120_000);
    expect(retryAfterMs("Wed, 25 Nov 2026 09:00:00 GMT", NOW)).toBe(0);
    expect(retryAfterMs("soon", NOW)).toBeNull();
    expect(retryAfterMs(undefined, NOW)).toBeNull();
  });
});

describe("the retry schedule", () => {
  it("reads a list of durations, and the default is the Standard Webhooks spread over hours", () => {
    expect(parseRetrySchedule("500ms, 5s,5m,2h,1.5d")).toEqual([500, 5_000, 300_000, 7_200_000, 129_600_000]);
    expect(parseRetrySchedule(DEFAULT_RETRY_SCHEDULE)).toEqual(DEFAULT_RETRY_SCHEDULE_MS);
    expect(DEFAULT_RETRY_SCHEDULE_MS).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000]);
  });

  it("refuses what is not a list of durations, saying which entry", () => {
    expect(parseRetrySchedule("5s,soon")).toEqual({ error: expect.stringContaining('"soon"') });
    expect(parseRetrySchedule("5")).toEqual({ error: expect.stringContaining('"5"') });
    expect(parseRetrySchedule("0s")).toEqual({ error: expect.stringContaining("outside") });
    expect(parseRetrySchedule("8d")).toEqual({ error: expect.stringContaining("outside") });
  });

  it("waits the n-th entry before the n-th retry, jittered between 0.8 and 1.2 of it, and the last entry beyond the list", () => {
    expect(scheduledWaitMs(1, policy, 0)).toBe(800);
    expect(scheduledWaitMs(1, policy, 0.5)).toBe(1000);
    expect(scheduledWaitMs(3, policy, 0.5)).toBe(4000);
    expect(scheduledWaitMs(3, policy, 0.999)).toBe(4798);
    expect(scheduledWaitMs(9, policy, 0.5)).toBe(16_000);
  });

  it("keeps the earlier doubling from WEBHOOK_BACKOFF_BASE_MS, capped", () => {
    expect(doublingSchedule(1_000, 5, 10_000)).toEqual([1_000, 2_000, 4_000, 8_000, 10_000]);
    expect(doublingSchedule(300, 0, 10_000)).toEqual([300]);
  });
});

describe("decide", () => {
  const failed = { kind: "failed" as const, statusCode: 500, error: "HTTP 500", retryAfterMs: null };

  it("retries a failure until maxRetries + 1 attempts were made, then gives up", () => {
    expect(decide(failed, 1, policy, 0.5)).toEqual({ kind: "retry", inMs: 1000 });
    expect(decide(failed, 5, policy, 0.5)).toEqual({ kind: "retry", inMs: 16_000 });
    expect(decide(failed, 6, policy, 0.5)).toEqual({ kind: "exhausted", reason: "no success after 6 attempts; last: HTTP 500", cause: "retries_used_up" });
  });

  it("waits at least the receiver's Retry-After, within the cap, and never less than the schedule", () => {
    expect(decide({ ...failed, retryAfterMs: 30_000 }, 1, policy, 0.5)).toEqual({ kind: "retry", inMs: 30_000 });
    expect(decide({ ...failed, retryAfterMs: 9_999_999 }, 1, policy, 0.5)).toEqual({ kind: "retry", inMs: 60_000 });
    expect(decide({ ...failed, retryAfterMs: 1 }, 4, policy, 0.5)).toEqual({ kind: "retry", inMs: 8_000 });
  });

  it("ends at once on success, 410 and a refused target, saying retrying could not help", () => {
    expect(decide({ kind: "delivered", statusCode: 204 }, 3, policy, 0.5)).toEqual({ kind: "delivered", statusCode: 204 });
    expect(decide({ kind: "gone", statusCode: 410 }, 1, policy, 0.5)).toMatchObject({ kind: "exhausted", cause: "gone" });
    expect(decide({ kind: "refused", error: "private" }, 1, policy, 0.5)).toEqual({ kind: "exhausted", reason: "refused: private", cause: "refused" });
  });
});

describe("nextStep", () => {
  const endChain: Chain = { key: "end", manual: false, afterSeq: 10, afterAttempt: 0, startedAt: "2026-11-30T00:00:00Z" };
  const manualChain: Chain = { key: "cmd-1", manual: true, afterSeq: 40, afterAttempt: 6, startedAt: "2026-11-30T01:00:00Z" };

  it("numbers the end chain's attempts from 1, one more than the newest recorded", () => {
    expect(nextStep(endChain, {}, false)).toEqual({ kind: "attempt", attempt: 1, chainAttempt: 1 });
    expect(nextStep(endChain, { lastAttempt: { seq: 12, attempt: 2 } }, false)).toEqual({ kind: "attempt", attempt: 3, chainAttempt: 3 });
  });

  it("numbers a manual chain on from the attempts before it, and counts its budget from its own first attempt", () => {
    expect(nextStep(manualChain, { lastAttempt: { seq: 39, attempt: 6 }, lastOutcome: { seq: 40 } }, false)).toEqual({ kind: "attempt", attempt: 7, chainAttempt: 1 });
    expect(nextStep(manualChain, { lastAttempt: { seq: 45, attempt: 8 }, lastOutcome: { seq: 40 } }, false)).toEqual({ kind: "attempt", attempt: 9, chainAttempt: 3 });
  });

  it("counts only recorded attempts against the budget: deliveries that woke the chain to wait are not attempts", () => {
    expect(nextStep(manualChain, { lastAttempt: { seq: 41, attempt: 7 }, lastOutcome: { seq: 40 } }, false)).toEqual({ kind: "attempt", attempt: 8, chainAttempt: 2 });
    expect(nextStep(endChain, { lastAttempt: { seq: 14, attempt: 4 } }, false)).toEqual({ kind: "attempt", attempt: 5, chainAttempt: 5 });
  });

  it("sends nothing once an outcome was recorded after the chain began", () => {
    expect(nextStep(endChain, { lastAttempt: { seq: 11, attempt: 1 }, lastOutcome: { seq: 12 } }, false)).toEqual({ kind: "over" });
    expect(nextStep(manualChain, { lastAttempt: { seq: 41, attempt: 7 }, lastOutcome: { seq: 42 } }, false)).toEqual({ kind: "over" });
  });

  it("does not take the outcome of the chain before as its own", () => {
    expect(nextStep(manualChain, { lastAttempt: { seq: 39, attempt: 6 }, lastOutcome: { seq: 40 } }, false).kind).toBe("attempt");
  });

  it("stands the end's chain down when a manual redelivery has taken over, but never a manual chain", () => {
    expect(nextStep(endChain, { lastAttempt: { seq: 11, attempt: 1 } }, true)).toEqual({ kind: "superseded" });
    expect(nextStep(manualChain, { lastOutcome: { seq: 40 } }, true).kind).toBe("attempt");
  });
});
