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
  /** Tokens of every agent together; null when no agent reported usage (the offline provider). */
  usage_total: TokenUsage.nullable().optional(),
  /**
   * Present only when an event of this request held data the read models cannot store as
   * recorded (for example U+0000 in a model's answer): the first such reason. Those
   * characters read as U+FFFD; the event itself is in the dead-letter stream.
   */
  projection_error: z.string().optional(),
});
export type RequestView = z.infer<typeof RequestView>;

/** The request's token usage summed over its agents, or null when none reported any. */
export function usageTotal(results: AgentResults): TokenUsage | null {
  const usages = Object.values(results).flatMap((r) => (r?.usage ? [r.usage] : []));
  if (usages.length === 0) return null;
  const sum = (k: keyof TokenUsage) => usages.reduce((n, u) => n + u[k], 0);
  return { prompt_tokens: sum("prompt_tokens"), completion_tokens: sum("completion_tokens"), total_tokens: sum("total_tokens") };
}

/** The view with `usage_total` filled in from its results, as the API answers it. */
export function withUsageTotal(view: RequestView): RequestView {
  return { ...view, usage_total: usageTotal(view.results) };
}

export function pendingResult(): AgentResult {
  return { status: "pending", provider: null, model: null, duration_ms: null, usage: null, error: null, output: null };
}

/** One page of GET /api/v1/results: the gateway answers it, clients (the chorus CLI) read it. */
export const ResultsPage = z
  .object({
    items: z.array(RequestView).describe("Newest first"),
    page: z.number().int().min(1),
    page_size: z.number().int().min(1),
    total: z.number().int().min(0).describe("Requests matching the filter, over all pages"),
  })
  .describe("One page of requests, newest first");
export type ResultsPage = z.infer<typeof ResultsPage>;

/** The answer to DELETE /api/v1/results/{request_id}: the erasure as recorded by its RequestErased event. */
export const RequestErasure = z.object({
  request_id: z.uuid(),
  erased_at: z.iso.datetime({ offset: true }),
  /** The id of the API key that erased it; null without keys. */
  erased_by_key: z.string().nullable(),
  /** How many of the request's events the stream held when it was erased (all deleted; the tombstone stays). */
  erased_events: z.number().int().min(0),
});
export type RequestErasure = z.infer<typeof RequestErasure>;
