// From one event, its stream sequence and what is stored about its request, to the
// rows to write. Pure. Every rule is order-tolerant: replicas apply a request's events
// in any order, and any order gives the same rows.
import { dispatchedByAccept, type AgentId, type ChorusEvent } from "@chorus/contracts";
import { foldAcceptDispatch, foldAgentEvent, foldEndResult } from "./agent-row.ts";
import { eraseRequest, isErased } from "./erasure.ts";
import { foldAccepted, foldAgentActivity, foldEnd, foldWebhookFact } from "./request-row.ts";
import type { AgentResultRow, Projection, RequestRow, RowChange, StoredRequestRows } from "./rows.ts";
import { attemptRow } from "./webhook.ts";

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function requestChange(before: RequestRow | null, after: RequestRow): RowChange[] {
  return before !== null && same(before, after) ? [] : [{ table: "requests", row: after }];
}

/** The stored agent rows with the changed ones in their place. */
function mergeAgents(stored: readonly AgentResultRow[], changes: RowChange[]): AgentResultRow[] {
  const changed = changes.flatMap((c) => (c.table === "agent_results" ? [c.row] : []));
  return [...stored.filter((a) => !changed.some((c) => c.agent === a.agent)), ...changed];
}

export function project(event: ChorusEvent, seq: number, stored: StoredRequestRows): Projection {
  // An erased request's row is final, whatever of it arrives late.
  if (isErased(stored)) return { changes: [], missing: null };
  switch (event.type) {
    case "RequestAccepted": {
      // A version-2 parallel accept is its agents' dispatch: each agent row records it, as an AgentDispatched would.
      const dispatch = dispatchedByAccept(event);
      const agentChanges: RowChange[] = [];
      for (const agent of dispatch ? event.data.agents : []) {
        const before = stored.agents.find((a) => a.agent === agent) ?? null;
        const after = foldAcceptDispatch(before, event, agent, seq);
        if (before === null || !same(before, after)) agentChanges.push({ table: "agent_results", row: after });
      }
      const withAgents = { ...stored, agents: mergeAgents(stored.agents, agentChanges) };
      return { changes: [...agentChanges, ...requestChange(stored.request, foldAccepted(withAgents, event, seq))], missing: null };
    }
    case "RequestCompleted":
    case "RequestFailed": {
      const agentChanges: RowChange[] = [];
      for (const [agent, result] of Object.entries(event.data.results)) {
        const before = stored.agents.find((a) => a.agent === agent) ?? null;
        const after = result ? foldEndResult(before, event.request_id, agent as AgentId, result) : null;
        if (after) agentChanges.push({ table: "agent_results", row: after });
      }
      return { changes: [...agentChanges, ...requestChange(stored.request, foldEnd(stored, event, seq))], missing: null };
    }
    case "AgentDispatched":
    case "AgentStarted":
    case "AgentCompleted":
    case "AgentFailed": {
      const before = stored.agents.find((a) => a.agent === event.data.agent) ?? null;
      const after = foldAgentEvent(before, event, seq);
      const changes: RowChange[] = before !== null && same(before, after) ? [] : [{ table: "agent_results", row: after }];
      // Without a requests row, the row made later counts the agent rows in (see request-row.ts).
      if (stored.request) changes.push(...requestChange(stored.request, foldAgentActivity(stored.request, seq)));
      return { changes, missing: null };
    }
    case "WebhookAttempted": {
      // The same attempt published twice (beyond the duplicate window) is one fact.
      if (stored.attempts.some((a) => a.event_id === event.id)) return { changes: [], missing: null };
      const attempt = attemptRow(event, seq);
      const changes: RowChange[] = [{ table: "webhook_attempts", row: attempt }];
      if (!stored.request) return { changes, missing: "request" };
      const withAttempt = { ...stored, attempts: [...stored.attempts, attempt] };
      changes.push(...requestChange(stored.request, foldWebhookFact(stored.request, withAttempt, event, seq)));
      return { changes, missing: null };
    }
    case "RequestErased":
      return { changes: eraseRequest(event, seq), missing: null };
    case "WebhookDelivered":
    case "WebhookExhausted":
      if (!stored.request) return { changes: [], missing: "request" };
      return { changes: requestChange(stored.request, foldWebhookFact(stored.request, stored, event, seq)), missing: null };
    case "WebhookCircuitChanged":
      // The endpoint's state, not the request's: read from the events when the webhook log is asked for.
      return { changes: [], missing: null };
    default: {
      const unknown: never = event;
      throw new Error(`no projection for event type ${(unknown as { type: string }).type}`);
    }
  }
}
