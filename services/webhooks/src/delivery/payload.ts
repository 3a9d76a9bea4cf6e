// What a webhook says: the body POSTed when a request ends, and the webhook-id that
// stays the same across retries, redeliveries and manual replays of that end.
import type { AgentResults, EndStatus, RequestEndEvent } from "@chorus/contracts";

export type WebhookPayload = {
  event: "request.completed" | "request.failed";
  request_id: string;
  status: EndStatus;
  results: AgentResults;
  created_at: string;
  completed_at: string;
};

export function webhookPayload(end: RequestEndEvent): WebhookPayload {
  return {
    event: end.type === "RequestCompleted" ? "request.completed" : "request.failed",
    request_id: end.request_id,
    status: end.data.status,
    results: end.data.results,
    created_at: end.data.created_at,
    completed_at: end.occurred_at,
  };
}

/** Derived from the request's one end event, so every delivery of that end carries it. */
export function webhookIdOf(end: Pick<RequestEndEvent, "id">): string {
  return `msg_${end.id.replace(/-/g, "")}`;
}
