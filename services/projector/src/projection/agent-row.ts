// How agent lifecycle events fold into an agent_results row, in any order: the status
// only moves forward (pending < running < completed|failed), the first outcome wins,
// and every timestamp is merged so that late events still leave their mark. A run's
// start comes from its AgentStarted or, for a quick run that recorded none, from its
// outcome's started_at: both are the instant the run began, and the newest start counts.
import type { AgentId, AgentResult, EventOf } from "@chorus/contracts";
import { earliest, latest, toInstant } from "./instant.ts";
import type { AgentResultRow } from "./rows.ts";

type AgentEvent = EventOf<"AgentDispatched" | "AgentStarted" | "AgentCompleted" | "AgentFailed">;

/** The outcome's run start merged in (absent on the orchestrator's timeout and on older events). */
function withRunStart(row: AgentResultRow, event: EventOf<"AgentCompleted" | "AgentFailed">): AgentResultRow {
  const startedAt = event.data.started_at;
  return startedAt === undefined ? row : { ...row, started_at: latest(row.started_at, toInstant(startedAt)) };
}

function isFinal(row: AgentResultRow): boolean {
  return row.status === "completed" || row.status === "failed";
}

function blank(requestId: string, agent: AgentId, seq: number): AgentResultRow {
  return {
    request_id: requestId,
    agent,
    status: "pending",
    provider: null,
    model: null,
    dispatched_at: null,
    started_at: null,
    finished_at: null,
    duration_ms: null,
    prompt_tokens: null,
    completion_tokens: null,
    total_tokens: null,
    output: null,
    error_code: null,
    error_message: null,
    last_event_seq: seq,
  };
}

/** An agent dispatched by its request's accept (version 2, parallel): as its AgentDispatched would fold. */
export function foldAcceptDispatch(existing: AgentResultRow | null, accepted: EventOf<"RequestAccepted">, agent: AgentId, seq: number): AgentResultRow {
  const base = existing ?? blank(accepted.request_id, agent, seq);
  return { ...base, last_event_seq: Math.max(base.last_event_seq, seq), dispatched_at: earliest(base.dispatched_at, toInstant(accepted.occurred_at)) };
}

export function foldAgentEvent(existing: AgentResultRow | null, event: AgentEvent, seq: number): AgentResultRow {
  const base = existing ?? blank(event.request_id, event.data.agent, seq);
  const row = { ...base, last_event_seq: Math.max(base.last_event_seq, seq) };
  const at = toInstant(event.occurred_at);
  switch (event.type) {
    case "AgentDispatched":
      // A task is dispatched once; the earliest instant is kept should a copy ever differ.
      return { ...row, dispatched_at: earliest(row.dispatched_at, at) };
    case "AgentStarted": {
      // A redelivered task starts again: the newest start is the one that counts.
      const newest = row.started_at === null || at >= row.started_at;
      const started = { ...row, started_at: latest(row.started_at, at) };
      if (isFinal(row)) {
        // The outcome's provider and model win; a start only fills in what it lacked.
        return { ...started, provider: row.provider ?? event.data.provider, model: row.model ?? event.data.model };
      }
      return newest ? { ...started, status: "running", provider: event.data.provider, model: event.data.model } : { ...started, status: "running" };
    }
    case "AgentCompleted": {
      // Final already (first outcome, or the end event's copy of it): only the instants are new.
      if (isFinal(row)) return withRunStart({ ...row, finished_at: row.finished_at ?? at }, event);
      const { usage } = event.data;
      return {
        ...withRunStart(row, event),
        status: "completed",
        provider: event.data.provider,
        model: event.data.model,
        finished_at: at,
        duration_ms: event.data.duration_ms,
        prompt_tokens: usage?.prompt_tokens ?? null,
        completion_tokens: usage?.completion_tokens ?? null,
        total_tokens: usage?.total_tokens ?? null,
        output: event.data.output,
        error_code: null,
        error_message: null,
      };
    }
    case "AgentFailed": {
      if (isFinal(row)) return withRunStart({ ...row, finished_at: row.finished_at ?? at }, event);
      const { usage } = event.data;
      return {
        ...withRunStart(row, event),
        status: "failed",
        // A timeout knows no provider; the start that preceded it does.
        provider: event.data.provider ?? row.provider,
        model: event.data.model ?? row.model,
        finished_at: at,
        duration_ms: event.data.duration_ms,
        prompt_tokens: usage?.prompt_tokens ?? null,
        completion_tokens: usage?.completion_tokens ?? null,
        total_tokens: usage?.total_tokens ?? null,
        output: null,
        error_code: event.data.error.code,
        error_message: event.data.error.message,
      };
    }
    default: {
      const unknown: never = event;
      throw new Error(`not an agent event: ${(unknown as { type: string }).type}`);
    }
  }
}

/**
 * The end event carries every agent's outcome. Projected before the outcome events (they
 * can be, across replicas), it fills agent rows in, so a request never reads as ended
 * while its agents still read as running. The outcome event, when it comes, adds only
 * its instant and sequence, so every order converges on the same row.
 */
export function foldEndResult(existing: AgentResultRow | null, requestId: string, agent: AgentId, result: AgentResult): AgentResultRow | null {
  const base = existing ?? blank(requestId, agent, 0);
  if (isFinal(base) || (result.status !== "completed" && result.status !== "failed")) return null;
  return {
    ...base,
    status: result.status,
    provider: result.provider ?? base.provider,
    model: result.model ?? base.model,
    duration_ms: result.duration_ms,
    prompt_tokens: result.usage?.prompt_tokens ?? null,
    completion_tokens: result.usage?.completion_tokens ?? null,
    total_tokens: result.usage?.total_tokens ?? null,
    output: result.status === "completed" ? result.output : null,
    error_code: result.error?.code ?? null,
    error_message: result.error?.message ?? null,
  };
}
