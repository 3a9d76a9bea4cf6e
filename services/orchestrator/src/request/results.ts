// How agent outcomes become the request's results and end status, as the end event
// (and through it the REST API and the webhook payload) reports them.
import type { AgentOutcomeEvent, AgentResult, EndStatus } from "@chorus/contracts";

export function agentResult(outcome: AgentOutcomeEvent): AgentResult {
  const { provider, model, duration_ms, usage } = outcome.data;
  return outcome.type === "AgentCompleted"
    ? { status: "completed", provider, model, duration_ms, usage, error: null, output: outcome.data.output }
    : { status: "failed", provider, model, duration_ms, usage, error: outcome.data.error, output: null };
}

/** completed: every agent succeeded; partial: some did; failed: none did. */
export function endStatus(outcomes: readonly AgentOutcomeEvent[]): EndStatus {
  const succeeded = outcomes.filter((o) => o.type === "AgentCompleted").length;
  if (succeeded === outcomes.length) return "completed";
  return succeeded === 0 ? "failed" : "partial";
}
