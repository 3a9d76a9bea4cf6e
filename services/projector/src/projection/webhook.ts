// Webhook delivery facts: the attempt rows, and the summary a requests row keeps of
// them. The summary is computed from the set of facts, never from their order.
import type { EventOf } from "@chorus/contracts";
import { toInstant } from "./instant.ts";
import type { WebhookAttemptRow, WebhookStatus } from "./rows.ts";

// A fact of higher rank is never undone by one of lower rank arriving later.
const RANK: Record<WebhookStatus, number> = { pending: 0, failed: 1, exhausted: 2, delivered: 3 };

export function strongerStatus(a: WebhookStatus | null, b: WebhookStatus | null): WebhookStatus | null {
  if (a === null) return b;
  if (b === null) return a;
  return RANK[b] > RANK[a] ? b : a;
}

export function attemptRow(event: EventOf<"WebhookAttempted">, seq: number): WebhookAttemptRow {
  return {
    event_id: event.id,
    request_id: event.request_id,
    webhook_id: event.data.webhook_id,
    attempt: event.data.attempt,
    url: event.data.url,
    status_code: event.data.status_code,
    duration_ms: event.data.duration_ms,
    error: event.data.error,
    next_attempt_at: event.data.next_attempt_at === null ? null : toInstant(event.data.next_attempt_at),
    attempted_at: toInstant(event.occurred_at),
    stream_seq: seq,
  };
}

/** A 2xx answer without a transport error; anything else is a failed attempt. */
export function succeeded(attempt: Pick<WebhookAttemptRow, "status_code" | "error">): boolean {
  return attempt.error === null && attempt.status_code !== null && attempt.status_code >= 200 && attempt.status_code < 300;
}

export type AttemptSummary = {
  attempts: number;
  /** Status code of the newest attempt (greatest stream sequence). */
  lastStatusCode: number | null;
  anyFailed: boolean;
  maxSeq: number;
};

export function summarizeAttempts(attempts: readonly WebhookAttemptRow[]): AttemptSummary {
  let newest: WebhookAttemptRow | null = null;
  for (const a of attempts) if (newest === null || a.stream_seq > newest.stream_seq) newest = a;
  return {
    attempts: attempts.length,
    lastStatusCode: newest?.status_code ?? null,
    anyFailed: attempts.some((a) => !succeeded(a)),
    maxSeq: newest?.stream_seq ?? 0,
  };
}
