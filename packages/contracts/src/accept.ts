// What a submission becomes once it is accepted: the RequestAccepted event. The gateway
// records it itself when a request is submitted (so the request exists in the stream
// before any 2xx answer); the orchestrator builds the same event from a SubmitRequest
// command that an earlier version stored in the commands stream. Pure.
import type { CommandOf } from "./commands.ts";
import type { EventOf } from "./events.ts";

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

export function acceptSubmission(submit: Submitted, ctx: AcceptContext): EventOf<"RequestAccepted"> {
  const d = submit.data;
  return {
    id: ctx.id,
    type: "RequestAccepted",
    version: 1,
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
    },
  };
}
