// What RequestErased leaves in the read models: a requests row made from the tombstone
// alone (that the request existed, how and when it ended, when and by which key it was
// erased), and nothing else of the request: its agent rows, webhook attempts and recorded
// projection failures are removed. Pure. Made from the tombstone alone so that a live
// projector and a rebuild (which sees only the tombstone) agree, whatever came before it;
// after it, nothing more of the request is projected (see project.ts).
import type { EventOf } from "@chorus/contracts";
import { toInstant } from "./instant.ts";
import type { RowChange, StoredRequestRows } from "./rows.ts";

export function isErased(stored: StoredRequestRows): boolean {
  return stored.request !== null && stored.request.erased_at !== null;
}

export function eraseRequest(event: EventOf<"RequestErased">, seq: number): RowChange[] {
  const { data } = event;
  return [
    {
      table: "requests",
      row: {
        request_id: event.request_id,
        tenant_id: event.tenant_id,
        status: data.status,
        orchestration_mode: data.orchestration_mode,
        agents: data.agents,
        text_length: 0,
        // The erasure's: the request's own could be anything its client sent.
        correlation_id: event.correlation_id,
        idempotency_key: null,
        webhook_url: null,
        webhook_status: null,
        webhook_attempts: 0,
        webhook_last_status_code: null,
        webhook_delivered_at: null,
        created_at: toInstant(data.created_at),
        completed_at: data.completed_at === null ? null : toInstant(data.completed_at),
        duration_ms: null,
        erased_at: toInstant(event.occurred_at),
        erased_by_key: data.erased_by_key,
        last_event_seq: seq,
      },
    },
    { table: "erasure", request_id: event.request_id },
  ];
}
