// The read-model rows the projector writes (migrations/1732500000000_read-models.sql)
// and how they become the RequestView clients see. Pure: rows in, view out.
import { z } from "zod";
import {
  AgentError,
  AgentId,
  AgentOutput,
  AgentResultStatus,
  OrchestrationMode,
  RequestStatus,
  WebhookSummary,
  pendingResult,
  type AgentResult,
  type RequestView,
} from "@chorus/contracts";

// slonik hands timestamptz over as epoch milliseconds; accept a Date or a string as well.
const Timestamp = z.union([z.number(), z.date(), z.string()]);
const NullableInt = z.number().int().nullable();

export const RequestRow = z.object({
  request_id: z.string(),
  status: RequestStatus,
  orchestration_mode: OrchestrationMode,
  agents: z.array(AgentId),
  created_at: Timestamp,
  completed_at: Timestamp.nullable(),
  webhook_url: z.string().nullable(),
  webhook_status: WebhookSummary.shape.status.nullable(),
  webhook_attempts: z.number().int(),
  webhook_last_status_code: NullableInt,
  webhook_delivered_at: Timestamp.nullable(),
  projection_error: z.string().nullable(),
});
export type RequestRow = z.infer<typeof RequestRow>;

export const AgentResultRow = z.object({
  request_id: z.string(),
  agent: AgentId,
  status: AgentResultStatus,
  provider: z.string().nullable(),
  model: z.string().nullable(),
  duration_ms: NullableInt,
  prompt_tokens: NullableInt,
  completion_tokens: NullableInt,
  total_tokens: NullableInt,
  output: AgentOutput.nullable(),
  error_code: AgentError.shape.code.nullable(),
  error_message: z.string().nullable(),
});
export type AgentResultRow = z.infer<typeof AgentResultRow>;

function toIso(value: number | Date | string): string {
  return new Date(value).toISOString();
}

export function agentResultFromRow(row: AgentResultRow): AgentResult {
  return {
    status: row.status,
    provider: row.provider,
    model: row.model,
    duration_ms: row.duration_ms,
    usage:
      row.prompt_tokens === null && row.completion_tokens === null && row.total_tokens === null
        ? null
        : {
            prompt_tokens: row.prompt_tokens ?? 0,
            completion_tokens: row.completion_tokens ?? 0,
            total_tokens: row.total_tokens ?? (row.prompt_tokens ?? 0) + (row.completion_tokens ?? 0),
          },
    error: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? "" },
    output: row.output,
  };
}

/** One request and its agent rows; an agent with no row yet shows as pending. */
export function viewFromRows(request: RequestRow, agentRows: readonly AgentResultRow[]): RequestView {
  const byAgent = new Map(agentRows.filter((r) => r.request_id === request.request_id).map((r) => [r.agent, r]));
  return {
    request_id: request.request_id,
    status: request.status,
    orchestration_mode: request.orchestration_mode,
    agents: [...request.agents],
    created_at: toIso(request.created_at),
    completed_at: request.completed_at === null ? null : toIso(request.completed_at),
    results: Object.fromEntries(
      request.agents.map((agent) => {
        const row = byAgent.get(agent);
        return [agent, row ? agentResultFromRow(row) : pendingResult()];
      }),
    ),
    webhook:
      request.webhook_url === null
        ? null
        : {
            url: request.webhook_url,
            status: request.webhook_status ?? "pending",
            attempts: request.webhook_attempts,
            last_status_code: request.webhook_last_status_code,
            delivered_at: request.webhook_delivered_at === null ? null : toIso(request.webhook_delivered_at),
          },
    ...(request.projection_error === null ? {} : { projection_error: request.projection_error }),
  };
}
