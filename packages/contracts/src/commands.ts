// Imperative messages on the commands and tasks streams: asks, not facts. Each is
// handled by exactly one owner (work-queue streams).
import { z } from "zod";
import { AgentId, AgentOutput, OrchestrationMode } from "./agents.ts";
import { envelope } from "./envelope.ts";
import { WebhookTarget } from "./webhook.ts";

export const SubmitRequest = envelope(
  "SubmitRequest",
  z.object({
    text: z.string(),
    orchestration_mode: OrchestrationMode,
    agents: z.array(AgentId).min(1),
    webhook: WebhookTarget.nullable(),
    idempotency_key: z.string().nullable(),
    fingerprint: z.string().nullable(),
  }),
);

/**
 * Scheduled (by a delayed redelivery) for the deadline of the agents dispatched together;
 * the orchestrator checks it then. One check covers a parallel request's agents. `agent`
 * (one agent) is the shape an earlier version scheduled, still understood.
 */
export const CheckAgentDeadline = envelope(
  "CheckAgentDeadline",
  z.union([
    z.object({ agents: z.array(AgentId).min(1), deadline_at: z.iso.datetime({ offset: true }) }),
    z.object({ agent: AgentId, deadline_at: z.iso.datetime({ offset: true }) }),
  ]),
);

/** The agents a deadline check is for, whichever shape it has. */
export function deadlineAgents(check: { data: { agents: AgentId[] } | { agent: AgentId } }): AgentId[] {
  return "agents" in check.data ? check.data.agents : [check.data.agent];
}

/**
 * A manual redelivery: a new delivery chain of the request's webhook, asked for once the
 * previous chain has ended. Published on the request's own subject only while that subject
 * is empty (the command stays there until its chain ends), so one chain runs at a time.
 */
export const RedeliverWebhook = envelope(
  "RedeliverWebhook",
  z.object({
    reason: z.string().default("manual"),
    /** Attempts recorded before this chain: its attempts are numbered from after_attempt + 1. */
    after_attempt: z.number().int().min(0),
    /** Events-stream sequence of the newest webhook fact (or of the end) when it was asked for: an outcome after it ends this chain. */
    after_seq: z.number().int().min(0),
    /** The id of the API key that asked for it (never the key); absent without keys. */
    requested_by_key: z.string().max(64).optional(),
  }),
);

export const ChorusCommand = z.discriminatedUnion("type", [SubmitRequest, CheckAgentDeadline, RedeliverWebhook]);
export type ChorusCommand = z.infer<typeof ChorusCommand>;
export type CommandOf<T extends ChorusCommand["type"]> = Extract<ChorusCommand, { type: T }>;

/** One agent run, on `<prefix>.task.<agent>`. Carries what the agent needs, so it reads nothing else. */
export const AgentTask = envelope(
  "AgentTask",
  z.object({
    agent: AgentId,
    text: z.string(),
    orchestration_mode: OrchestrationMode,
    // Sequential mode: earlier agents' outputs, by agent.
    context: z.partialRecord(AgentId, AgentOutput),
    deadline_at: z.iso.datetime({ offset: true }),
  }),
);
export type AgentTask = z.infer<typeof AgentTask>;
