// The webhook status rules: what each fact says of the newest delivery chain, and that the
// newest fact by stream sequence decides whatever order facts are applied in.
import { describe, expect, it } from "vitest";
import { webhookStatusImpliedBy as statusImpliedBy, type EventOf } from "@chorus/contracts";
import { toInstant } from "./instant.ts";
import type { WebhookAttemptRow } from "./rows.ts";
import { statusFromAttempts, summarizeAttempts, webhookStatusAfter } from "./webhook.ts";

const meta = { id: "0b9f5c1e-4a8a-4d0c-9b56-3f1f0f2a9e11", version: 1 as const, request_id: "6a3c1f6e-0f55-4b8e-9a4e-2b1d4c9e8f00", tenant_id: "default", occurred_at: "2026-11-25T10:00:00.000Z", correlation_id: "c" };

function attempted(statusCode: number | null, next: string | null, error: string | null = statusCode !== null && statusCode < 300 ? null : "HTTP 500"): EventOf<"WebhookAttempted"> {
  return { ...meta, type: "WebhookAttempted", data: { webhook_id: "msg_1", attempt: 1, url: "https://r.example/h", status_code: statusCode, duration_ms: 3, error, next_attempt_at: next } };
}

const exhausted = (cause?: "retries_used_up" | "gone" | "refused" | "secret_unusable"): EventOf<"WebhookExhausted"> => ({
  ...meta,
  type: "WebhookExhausted",
  data: { webhook_id: "msg_1", attempts: 3, reason: "r", ...(cause ? { cause } : {}) },
});

function row(seq: number, attempt: number, statusCode: number | null, next: string | null): WebhookAttemptRow {
  return {
    event_id: `e${seq}`,
    request_id: meta.request_id,
    webhook_id: "msg_1",
    attempt,
    url: "https://r.example/h",
    status_code: statusCode,
    duration_ms: 3,
    error: statusCode !== null && statusCode < 300 ? null : "HTTP 500",
    next_attempt_at: next === null ? null : toInstant(next),
    attempted_at: toInstant(meta.occurred_at),
    stream_seq: seq,
  };
}

describe("webhookStatusImpliedBy (contracts), the rule the read model keeps", () => {
  it("reads a failed attempt as pending, whether a retry is due or the chain's outcome is still to be recorded", () => {
    expect(statusImpliedBy(attempted(500, "2026-11-25T10:00:02.000Z"))).toBe("pending");
    expect(statusImpliedBy(attempted(null, null, "connect ECONNREFUSED"))).toBe("pending");
  });

  it("reads an attempt the receiver took, and a WebhookDelivered, as delivered", () => {
    expect(statusImpliedBy(attempted(204, null))).toBe("delivered");
    expect(statusImpliedBy({ ...meta, type: "WebhookDelivered", data: { webhook_id: "msg_1", attempt: 2, status_code: 200 } })).toBe("delivered");
  });

  it("reads a chain that used up its retries as exhausted, and one that stopped because retrying could not help as failed", () => {
    expect(statusImpliedBy(exhausted("retries_used_up"))).toBe("exhausted");
    expect(statusImpliedBy(exhausted())).toBe("exhausted");
    expect(statusImpliedBy(exhausted("gone"))).toBe("failed");
    expect(statusImpliedBy(exhausted("refused"))).toBe("failed");
    expect(statusImpliedBy(exhausted("secret_unusable"))).toBe("failed");
  });
});

describe("webhookStatusAfter", () => {
  it("takes the status of a fact newer than everything the row has seen", () => {
    expect(webhookStatusAfter({ webhook_status: "exhausted", last_event_seq: 20 }, attempted(500, "2026-11-25T10:00:02.000Z"), 21)).toBe("pending");
  });

  it("keeps the status of a newer fact when an older one arrives late", () => {
    expect(webhookStatusAfter({ webhook_status: "pending", last_event_seq: 21 }, exhausted(), 20)).toBe("pending");
    expect(webhookStatusAfter({ webhook_status: "delivered", last_event_seq: 30 }, attempted(500, null), 25)).toBe("delivered");
  });
});

describe("statusFromAttempts and summarizeAttempts", () => {
  const attempts = [row(12, 2, 500, "2026-11-25T10:00:05.000Z"), row(11, 1, 503, "2026-11-25T10:00:02.000Z")];

  it("takes the newest attempt's status for a row made after its attempts, and keeps the row's own when there are none", () => {
    expect(statusFromAttempts("pending", attempts)).toBe("pending");
    expect(statusFromAttempts("pending", [...attempts, row(13, 3, 200, null)])).toBe("delivered");
    expect(statusFromAttempts("pending", [])).toBe("pending");
  });

  it("counts every attempt and keeps the newest one's status code", () => {
    expect(summarizeAttempts(attempts)).toEqual({ attempts: 2, lastStatusCode: 500, maxSeq: 12 });
  });
});
