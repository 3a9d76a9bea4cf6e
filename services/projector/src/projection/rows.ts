// The read-model rows as plain data (migrations/1732500000000_read-models.sql), and the
// rows stored about one request that its events are projected on. Timestamps are `Instant`s.
import type { AgentId, OrchestrationMode, RequestStatus, WebhookSummary } from "@chorus/contracts";
import type { Instant } from "./instant.ts";

export type WebhookStatus = WebhookSummary["status"];
export type AgentRowStatus = "pending" | "running" | "completed" | "failed";

export type RequestRow = {
  request_id: string;
  tenant_id: string;
  status: RequestStatus;
  orchestration_mode: OrchestrationMode;
  agents: AgentId[];
  text_length: number;
  correlation_id: string;
  idempotency_key: string | null;
  webhook_url: string | null;
  webhook_status: WebhookStatus | null;
  webhook_attempts: number;
  webhook_last_status_code: number | null;
  webhook_delivered_at: Instant | null;
  created_at: Instant;
  completed_at: Instant | null;
  duration_ms: number | null;
  /** Set by RequestErased: the row is then only the record that the request existed. */
  erased_at: Instant | null;
  erased_by_key: string | null;
  last_event_seq: number;
};

export type AgentResultRow = {
  request_id: string;
  agent: AgentId;
  status: AgentRowStatus;
  provider: string | null;
  model: string | null;
  dispatched_at: Instant | null;
  started_at: Instant | null;
  finished_at: Instant | null;
  duration_ms: number | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  total_tokens: number | null;
  output: unknown;
  error_code: string | null;
  error_message: string | null;
  last_event_seq: number;
};

export type WebhookAttemptRow = {
  event_id: string;
  request_id: string;
  webhook_id: string;
  attempt: number;
  url: string;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
  next_attempt_at: Instant | null;
  attempted_at: Instant;
  stream_seq: number;
};

/**
 * Every row stored about one request, read (under the request's lock) before its events
 * are projected. Rows as they are stored, not a fold of the request's events.
 */
export type StoredRequestRows = {
  request: RequestRow | null;
  agents: readonly AgentResultRow[];
  attempts: readonly WebhookAttemptRow[];
};

export type RowChange =
  | { table: "requests"; row: RequestRow }
  | { table: "agent_results"; row: AgentResultRow }
  | { table: "webhook_attempts"; row: WebhookAttemptRow }
  /** Everything but the requests row is removed: agent rows, webhook attempts, recorded projection failures. Written after the rest. */
  | { table: "erasure"; request_id: string };

export type Projection = {
  /** Rows to write (whole rows; requests and agent_results are upserted, attempts inserted). */
  changes: RowChange[];
  /**
   * "request" when the event also concerns a requests row that does not exist yet (a
   * webhook fact applied before the request's accepted or end event): the changes lack
   * that part, so a live consumer should rather try again later.
   */
  missing: "request" | null;
};

export const NO_STORED_ROWS: StoredRequestRows = { request: null, agents: [], attempts: [] };

/** The request a change is about. */
export function requestOfChange(change: RowChange): string {
  return change.table === "erasure" ? change.request_id : change.row.request_id;
}
