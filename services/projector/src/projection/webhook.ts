// Webhook delivery facts: the attempt rows, and the summary a requests row keeps of
// them. The count and the last status code come from the set of attempts; the status is
// where the newest delivery chain stands, which the newest webhook fact (by stream
// sequence) says (contracts' webhookStatusImpliedBy), so any order of applying them gives
// the same row.
import { attemptStatus, webhookStatusImpliedBy, type EventOf, type WebhookEvent } from "@chorus/contracts";
import { toInstant } from "./instant.ts";
import type { RequestRow, WebhookAttemptRow, WebhookStatus } from "./rows.ts";

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

/**
 * The status once a webhook fact at `seq` is applied to `row`. A request's webhook facts
 * come after all its other events in the stream, so a row whose last_event_seq is past
 * `seq` has seen a newer webhook fact, whose status stands.
 */
export function webhookStatusAfter(row: Pick<RequestRow, "webhook_status" | "last_event_seq">, event: WebhookEvent, seq: number): WebhookStatus | null {
  return seq > row.last_event_seq ? webhookStatusImpliedBy(event) : row.webhook_status;
}

/** The status of a row made after attempts were applied (outcomes wait for the row): the newest attempt's. */
export function statusFromAttempts(current: WebhookStatus | null, attempts: readonly WebhookAttemptRow[]): WebhookStatus | null {
  const newest = newestAttempt(attempts);
  return newest ? attemptStatus(newest) : current;
}

function newestAttempt(attempts: readonly WebhookAttemptRow[]): WebhookAttemptRow | null {
  let newest: WebhookAttemptRow | null = null;
  for (const a of attempts) if (newest === null || a.stream_seq > newest.stream_seq) newest = a;
  return newest;
}

export type AttemptSummary = {
  /** Every attempt ever made for the request, across all its delivery chains. */
  attempts: number;
  /** Status code of the newest attempt (greatest stream sequence). */
  lastStatusCode: number | null;
  maxSeq: number;
};

export function summarizeAttempts(attempts: readonly WebhookAttemptRow[]): AttemptSummary {
  const newest = newestAttempt(attempts);
  return {
    attempts: attempts.length,
    lastStatusCode: newest?.status_code ?? null,
    maxSeq: newest?.stream_seq ?? 0,
  };
}
