// What RequestErased leaves in the read models: the requests row as the record that the
// request existed, how it ended and when and by which key it was erased, with nothing the
// client wrote (webhook URL, idempotency key); agent rows without outputs or error texts;
// no webhook attempts (each holds the URL). Pure. After it, nothing more of the request is
// projected: an event of it still in flight when the stream's copy was deleted must not
// bring anything back (see project.ts).
import type { EventOf } from "@chorus/contracts";
import { toInstant } from "./instant.ts";
import type { RequestRow, RowChange, StoredRequestRows } from "./rows.ts";

export function isErased(stored: StoredRequestRows): boolean {
  return stored.request !== null && stored.request.erased_at !== null;
}

export function eraseRequest(stored: StoredRequestRows, event: EventOf<"RequestErased">, seq: number): RowChange[] {
  const { data } = event;
  const erased = { erased_at: toInstant(event.occurred_at), erased_by_key: data.erased_by_key };
  const before = stored.request;
  const request: RequestRow = before
    ? { ...before, ...erased, webhook_url: null, idempotency_key: null, last_event_seq: Math.max(before.last_event_seq, seq) }
    : {
        // Rebuilt from a stream that holds only the tombstone: the row is what it recorded.
        request_id: event.request_id,
        tenant_id: event.tenant_id,
        status: data.status,
        orchestration_mode: data.orchestration_mode,
        agents: data.agents,
        text_length: 0,
        correlation_id: event.correlation_id,
        idempotency_key: null,
        webhook_url: null,
        webhook_status: null,
        webhook_attempts: 0,
        webhook_last_status_code: null,
        webhook_delivered_at: null,
        created_at: toInstant(data.created_at),
        completed_at: null,
        duration_ms: null,
        ...erased,
        last_event_seq: seq,
      };
  const agents: RowChange[] = stored.agents.map((row) => ({ table: "agent_results", row: { ...row, output: null, error_message: null, last_event_seq: Math.max(row.last_event_seq, seq) } }));
  return [{ table: "requests", row: request }, ...agents, { table: "erased_attempts", request_id: event.request_id }];
}
