// A request's end as the orchestrator records it, for tests of what follows an end
// (webhook delivery, retries, a gateway waiting for it) without running the request itself.
import { randomUUID } from "node:crypto";
import type { RequestEndEvent, WebhookTarget } from "@chorus/contracts";

type EndData = Omit<RequestEndEvent["data"], "status" | "webhook">;

export type EndOptions = {
  requestId?: string;
  tenantId?: string;
  correlationId?: string;
  /** A RequestFailed instead of a RequestCompleted. */
  failed?: boolean;
  /** What differs from a one-agent parallel request with no results, 5 ms long, created now. */
  data?: Partial<EndData>;
};

/** A completed (or, with `failed`, a failed) end of a request, carrying `webhook` (its secret sealed). */
export function completedEnd(webhook: WebhookTarget | null, options: EndOptions = {}): RequestEndEvent {
  const requestId = options.requestId ?? randomUUID();
  const envelope = {
    id: randomUUID(),
    version: 1 as const,
    request_id: requestId,
    tenant_id: options.tenantId ?? "default",
    occurred_at: new Date().toISOString(),
    correlation_id: options.correlationId ?? `corr-${requestId.slice(0, 8)}`,
  };
  const data: EndData & { webhook: WebhookTarget | null } = {
    results: {},
    duration_ms: 5,
    webhook,
    orchestration_mode: "parallel",
    agents: ["sentiment"],
    created_at: new Date().toISOString(),
    ...options.data,
  };
  return options.failed
    ? { ...envelope, type: "RequestFailed", data: { ...data, status: "failed" } }
    : { ...envelope, type: "RequestCompleted", data: { ...data, status: "completed" } };
}
