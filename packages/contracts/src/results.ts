// The request as clients see it (REST, gRPC, webhook payload): one shape, built from
// events by the projector and by the gateway when it answers a waiting POST.
import { z } from "zod";
import { AgentError, AgentId, AgentOutput, OrchestrationMode, TokenUsage } from "./agents.ts";

export const AGENT_RESULT_STATUSES = ["pending", "running", "completed", "failed"] as const;
export const AgentResultStatus = z.enum(AGENT_RESULT_STATUSES);

export const AgentResult = z.object({
  status: AgentResultStatus,
  provider: z.string().nullable(),
  model: z.string().nullable(),
  duration_ms: z.number().int().min(0).nullable(),
  usage: TokenUsage.nullable(),
  error: AgentError.nullable(),
  output: AgentOutput.nullable(),
});
export type AgentResult = z.infer<typeof AgentResult>;

export const END_STATUSES = ["completed", "partial", "failed"] as const;
export const EndStatus = z.enum(END_STATUSES);
export type EndStatus = z.infer<typeof EndStatus>;

export const REQUEST_STATUSES = ["pending", "processing", ...END_STATUSES] as const;
export const RequestStatus = z.enum(REQUEST_STATUSES);
export type RequestStatus = z.infer<typeof RequestStatus>;

export const AgentResults = z.partialRecord(AgentId, AgentResult);
export type AgentResults = z.infer<typeof AgentResults>;

export const WebhookSummary = z.object({
  url: z.string(),
  status: z.enum(["pending", "delivered", "failed", "exhausted"]),
  attempts: z.number().int().min(0),
  last_status_code: z.number().int().nullable(),
  delivered_at: z.iso.datetime({ offset: true }).nullable(),
});
export type WebhookSummary = z.infer<typeof WebhookSummary>;

export const RequestView = z.object({
  request_id: z.uuid(),
  status: RequestStatus,
  orchestration_mode: OrchestrationMode,
  agents: z.array(AgentId),
  created_at: z.iso.datetime({ offset: true }),
  completed_at: z.iso.datetime({ offset: true }).nullable(),
  results: AgentResults,
  webhook: WebhookSummary.nullable(),
});
export type RequestView = z.infer<typeof RequestView>;

export function pendingResult(): AgentResult {
  return { status: "pending", provider: null, model: null, duration_ms: null, usage: null, error: null, output: null };
}
