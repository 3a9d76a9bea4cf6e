// What a submission becomes once it is accepted: the RequestAccepted event. The gateway
// records it itself when a request is submitted (so the request exists in the stream
// before any 2xx answer); the orchestrator builds the same event from a SubmitRequest
// command that an earlier version stored in the commands stream; and what an agent runs
// from an accept that dispatches it. Pure.
import type { AgentId } from "./agents.ts";
import type { AgentTask, CommandOf } from "./commands.ts";
import { dispatchedByAccept, type EventOf } from "./events.ts";

export type AcceptContext = {
  /** The accepted event's own id. */
  id: string;
  occurredAt: string;
  /** Each agent's deadline after its dispatch, fixed for the request at acceptance. */
  agentTimeoutMs: number;
};

/** What is submitted: the request and what it asks for, whether or not it travelled as a command. */
export type Submitted = Pick<CommandOf<"SubmitRequest">, "request_id" | "tenant_id" | "correlation_id" | "data"> & {
  /** The API key that submitted it (never the key itself); absent for an earlier version's command. */
  submitted_by_key?: string | null;
};

/**
 * Version 2 (see RequestAccepted's `dispatch`): a parallel request's agents are dispatched
 * by the accept itself, which spares the 3 + 3 messages of the orchestrator's dispatches
 * and tasks and a hop on every request's critical path.
 */
export function acceptSubmission(submit: Submitted, ctx: AcceptContext): EventOf<"RequestAccepted"> {
  const d = submit.data;
  return {
    id: ctx.id,
    type: "RequestAccepted",
    version: 2,
    request_id: submit.request_id,
    tenant_id: submit.tenant_id,
    occurred_at: ctx.occurredAt,
    correlation_id: submit.correlation_id,
    data: {
      text: d.text,
      orchestration_mode: d.orchestration_mode,
      // Each agent runs once, in the order first asked for.
      agents: [...new Set(d.agents)],
      webhook: d.webhook,
      idempotency_key: d.idempotency_key,
      fingerprint: d.fingerprint,
      agent_timeout_ms: ctx.agentTimeoutMs,
      ...(submit.submitted_by_key ? { submitted_by_key: submit.submitted_by_key } : {}),
      dispatch: d.orchestration_mode === "parallel" ? { deadline_at: new Date(Date.parse(ctx.occurredAt) + ctx.agentTimeoutMs).toISOString() } : null,
    },
  };
}

/**
 * The task an agent runs straight from a version-2 parallel accept that lists it, or null
 * when the accept is not that agent's dispatch (sequential, version 1, or not listed). The
 * task's id is the accept's: there is no other message.
 */
export function taskFromAccept(accepted: EventOf<"RequestAccepted">, agent: AgentId): AgentTask | null {
  const dispatch = dispatchedByAccept(accepted);
  if (!dispatch || !accepted.data.agents.includes(agent)) return null;
  return {
    id: accepted.id,
    type: "AgentTask",
    version: 1,
    request_id: accepted.request_id,
    tenant_id: accepted.tenant_id,
    occurred_at: accepted.occurred_at,
    correlation_id: accepted.correlation_id,
    data: { agent, text: accepted.data.text, orchestration_mode: accepted.data.orchestration_mode, context: {}, deadline_at: dispatch.deadline_at },
  };
}
