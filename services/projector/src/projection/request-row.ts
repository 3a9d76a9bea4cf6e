// How request-level facts fold into a requests row, in any order. RequestAccepted owns
// what it describes (text length, idempotency key, created_at…); an end event owns the
// outcome (status, completed_at, duration) and, arriving first, stands in for the rest.
import { isEndEvent, type ChorusEvent, type EventOf, type RequestEndEvent, type WebhookEvent } from "@chorus/contracts";
import { earliest, toInstant } from "./instant.ts";
import type { RequestRow, StoredRequestRows } from "./rows.ts";
import { statusFromAttempts, summarizeAttempts, webhookStatusAfter } from "./webhook.ts";


/** The events that make a requests row when there is none: they describe the request themselves. */
export function makesRequestRow(event: ChorusEvent): boolean {
  return event.type === "RequestAccepted" || isEndEvent(event) || event.type === "RequestErased";
}

function hasEnded(row: RequestRow): boolean {
  return row.status === "completed" || row.status === "partial" || row.status === "failed";
}

/**
 * A new row also reflects what other tables already hold about the request (agent rows
 * and attempts applied before it existed), so the result does not depend on order.
 */
function withEarlierFacts(row: RequestRow, stored: StoredRequestRows): RequestRow {
  const attempts = summarizeAttempts(stored.attempts);
  const agentSeq = Math.max(0, ...stored.agents.map((a) => a.last_event_seq));
  return {
    ...row,
    status: row.status === "pending" && stored.agents.length > 0 ? "processing" : row.status,
    webhook_attempts: attempts.attempts,
    webhook_last_status_code: attempts.lastStatusCode,
    webhook_status: statusFromAttempts(row.webhook_status, stored.attempts),
    last_event_seq: Math.max(row.last_event_seq, agentSeq, attempts.maxSeq),
  };
}

export function foldAccepted(stored: StoredRequestRows, event: EventOf<"RequestAccepted">, seq: number): RequestRow {
  const { data } = event;
  const described = {
    request_id: event.request_id,
    tenant_id: event.tenant_id,
    orchestration_mode: data.orchestration_mode,
    agents: data.agents,
    // Code points, as the API counts text: an emoji is one.
    text_length: [...data.text].length,
    correlation_id: event.correlation_id,
    idempotency_key: data.idempotency_key,
    webhook_url: data.webhook?.url ?? null,
    created_at: toInstant(event.occurred_at),
  };
  const existing = stored.request;
  if (existing) {
    // The end event got here first: keep its outcome and whatever webhook progress followed.
    return {
      ...existing,
      ...described,
      webhook_status: existing.webhook_status ?? (data.webhook ? "pending" : null),
      last_event_seq: Math.max(existing.last_event_seq, seq),
    };
  }
  return withEarlierFacts(
    {
      ...described,
      status: "pending",
      webhook_status: data.webhook ? "pending" : null,
      webhook_attempts: 0,
      webhook_last_status_code: null,
      webhook_delivered_at: null,
      completed_at: null,
      duration_ms: null,
      erased_at: null,
      erased_by_key: null,
      last_event_seq: seq,
    },
    stored,
  );
}

export function foldEnd(stored: StoredRequestRows, event: RequestEndEvent, seq: number): RequestRow {
  const { data } = event;
  const outcome = { status: data.status, completed_at: toInstant(event.occurred_at), duration_ms: data.duration_ms };
  const existing = stored.request;
  if (existing) {
    // One end per request; should a second ever arrive, the first stands.
    if (hasEnded(existing)) return { ...existing, last_event_seq: Math.max(existing.last_event_seq, seq) };
    return { ...existing, ...outcome, last_event_seq: Math.max(existing.last_event_seq, seq) };
  }
  return withEarlierFacts(
    {
      request_id: event.request_id,
      tenant_id: event.tenant_id,
      orchestration_mode: data.orchestration_mode,
      agents: data.agents,
      // Not carried by the end event; RequestAccepted fills it in when it is projected.
      text_length: 0,
      correlation_id: event.correlation_id,
      idempotency_key: null,
      webhook_url: data.webhook?.url ?? null,
      webhook_status: data.webhook ? "pending" : null,
      webhook_attempts: 0,
      webhook_last_status_code: null,
      webhook_delivered_at: null,
      created_at: toInstant(data.created_at),
      ...outcome,
      erased_at: null,
      erased_by_key: null,
      last_event_seq: seq,
    },
    stored,
  );
}

/** Any agent activity means the request is being processed, unless it has already ended. */
export function foldAgentActivity(row: RequestRow, seq: number): RequestRow {
  return {
    ...row,
    status: row.status === "pending" ? "processing" : row.status,
    last_event_seq: Math.max(row.last_event_seq, seq),
  };
}

/** `stored.attempts` must already include the attempt of a WebhookAttempted event. */
export function foldWebhookFact(row: RequestRow, stored: StoredRequestRows, event: WebhookEvent, seq: number): RequestRow {
  // The newest webhook fact says where the newest delivery chain stands (see webhook.ts).
  const bumped = { ...row, last_event_seq: Math.max(row.last_event_seq, seq), webhook_status: webhookStatusAfter(row, event, seq) };
  switch (event.type) {
    case "WebhookAttempted": {
      const attempts = summarizeAttempts(stored.attempts);
      return {
        ...bumped,
        webhook_attempts: attempts.attempts,
        webhook_last_status_code: attempts.lastStatusCode,
      };
    }
    case "WebhookDelivered":
      return {
        ...bumped,
        webhook_delivered_at: earliest(row.webhook_delivered_at, toInstant(event.occurred_at)),
      };
    case "WebhookExhausted":
      return bumped;
    default: {
      const unknown: never = event;
      throw new Error(`not a webhook event: ${(unknown as { type: string }).type}`);
    }
  }
}
