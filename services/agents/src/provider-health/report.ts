// What an agents replica says about its provider after checking it: the provider, each
// agent's model, whether it answered and why not. Pure; the publisher writes it to NATS.
import type { AgentId, ProviderHealthReport } from "@chorus/contracts";

export type CheckOutcome = {
  provider: string;
  models: Partial<Record<AgentId, string>>;
  /** Null when the provider answered, else why it did not. */
  failure: string | null;
  checkedAt: number;
  intervalMs: number;
  instance: string;
};

export function providerHealthReport(outcome: CheckOutcome): ProviderHealthReport {
  return {
    provider: outcome.provider,
    models: outcome.models,
    ok: outcome.failure === null,
    // An empty reason would read as no reason at all.
    ...(outcome.failure === null ? {} : { error: outcome.failure || "the provider check failed" }),
    checked_at: new Date(outcome.checkedAt).toISOString(),
    interval_ms: outcome.intervalMs,
    instance: outcome.instance,
  };
}
