// Reads the rows stored about a set of requests, as the plain data the projection folds into.
// slonik hands timestamptz over as epoch ms and int8 as bigint; both are converted here.
import { z } from "zod";
import { sql } from "@chorus/platform";
import { AgentId, OrchestrationMode, RequestStatus } from "@chorus/contracts";
import { NO_STORED_ROWS, toInstant, type StoredRequestRows } from "../projection/index.ts";
import { table, type Queryable } from "./tables.ts";

const Seq = z.union([z.bigint(), z.number()]).transform(Number);
const At = z.union([z.number(), z.date(), z.string()]).transform((v) => toInstant(v instanceof Date ? v.getTime() : v));
const Int = z.number().int();

const RequestRowSchema = z.object({
  request_id: z.string(),
  tenant_id: z.string(),
  status: RequestStatus,
  orchestration_mode: OrchestrationMode,
  agents: z.array(AgentId),
  text_length: Int,
  correlation_id: z.string(),
  idempotency_key: z.string().nullable(),
  webhook_url: z.string().nullable(),
  webhook_status: z.enum(["pending", "delivered", "failed", "exhausted"]).nullable(),
  webhook_attempts: Int,
  webhook_last_status_code: Int.nullable(),
  webhook_delivered_at: At.nullable(),
  created_at: At,
  completed_at: At.nullable(),
  duration_ms: Int.nullable(),
  erased_at: At.nullable(),
  erased_by_key: z.string().nullable(),
  last_event_seq: Seq,
});

const AgentResultRowSchema = z.object({
  request_id: z.string(),
  agent: AgentId,
  status: z.enum(["pending", "running", "completed", "failed"]),
  provider: z.string().nullable(),
  model: z.string().nullable(),
  dispatched_at: At.nullable(),
  started_at: At.nullable(),
  finished_at: At.nullable(),
  duration_ms: Int.nullable(),
  prompt_tokens: Int.nullable(),
  completion_tokens: Int.nullable(),
  total_tokens: Int.nullable(),
  output: z.unknown(),
  error_code: z.string().nullable(),
  error_message: z.string().nullable(),
  last_event_seq: Seq,
});

const WebhookAttemptRowSchema = z.object({
  event_id: z.string(),
  request_id: z.string(),
  webhook_id: z.string(),
  attempt: Int,
  url: z.string(),
  status_code: Int.nullable(),
  duration_ms: Int,
  error: z.string().nullable(),
  next_attempt_at: At.nullable(),
  attempted_at: At,
  stream_seq: Seq,
});

/** The rows stored about each of these requests (none for one never projected). */
export async function readStoredRows(db: Queryable, schema: string, requestIds: readonly string[]): Promise<Map<string, StoredRequestRows>> {
  const ids = sql.array([...requestIds], "uuid");
  const [requests, agents, attempts] = [
    await db.any(sql.type(RequestRowSchema)`SELECT * FROM ${table(schema, "requests")} WHERE request_id = ANY(${ids})`),
    await db.any(sql.type(AgentResultRowSchema)`SELECT * FROM ${table(schema, "agent_results")} WHERE request_id = ANY(${ids}) ORDER BY request_id, agent`),
    await db.any(sql.type(WebhookAttemptRowSchema)`SELECT * FROM ${table(schema, "webhook_attempts")} WHERE request_id = ANY(${ids}) ORDER BY stream_seq`),
  ];
  const stored = new Map<string, StoredRequestRows>(requestIds.map((id) => [id, NO_STORED_ROWS]));
  const rowsOf = (id: string) => stored.get(id) as StoredRequestRows;
  for (const request of requests) stored.set(request.request_id, { ...rowsOf(request.request_id), request });
  for (const agent of agents) stored.set(agent.request_id, { ...rowsOf(agent.request_id), agents: [...rowsOf(agent.request_id).agents, agent] });
  for (const attempt of attempts) stored.set(attempt.request_id, { ...rowsOf(attempt.request_id), attempts: [...rowsOf(attempt.request_id).attempts, attempt] });
  return stored;
}
