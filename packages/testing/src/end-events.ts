// A request's end as the orchestrator records it, for tests of what follows an end
// (webhook delivery, retries) without running the request itself.
import { randomUUID } from "node:crypto";
import type { RequestEndEvent, WebhookTarget } from "@chorus/contracts";

/** A completed end of a one-agent request with no results, carrying `webhook` (its secret sealed). */
export function completedEnd(webhook: WebhookTarget | null, options: { requestId?: string; correlationId?: string } = {}): RequestEndEvent {
  const requestId = options.requestId ?? randomUUID();
  return {
    id: randomUUID(),
    type: "RequestCompleted",
    version: 1,
    request_id: requestId,
    tenant_id: "default",
    occurred_at: new Date().toISOString(),
    correlation_id: options.correlationId ?? `corr-${requestId.slice(0, 8)}`,
    data: {
      status: "completed",
      results: {},
      duration_ms: 5,
      webhook,
      orchestration_mode: "parallel",
      agents: ["sentiment"],
      created_at: new Date().toISOString(),
    },
  };
}
