// An endpoint's circuit breaker, pure: whether a delivery to the endpoint may be sent now,
// and what an attempt's outcome does to the circuit. Closed: everything is sent, and a run
// of `failures` failing attempts in a row opens it. Open: nothing is sent, deliveries wait
// (their waits are not attempts) until a probe is due; then one delivery claims the probe
// (half-open) for as long as an attempt can take. The probe's success closes the circuit;
// its failure opens it again for another interval. The state is shared by every replica
// (a KV entry per endpoint, circuit-store.ts); transitions are compare-and-set, so one
// replica makes each, and only it records it.
import type { AttemptOutcome } from "./outcome.ts";

export type CircuitState = "closed" | "open" | "half_open";

export type Circuit = {
  state: CircuitState;
  /** Failing attempts in a row while closed; the run that opened it, while open. */
  failures: number;
  /** Open: when the next probe may go. Half-open: when the probe's claim runs out (its sender died). */
  untilMs: number;
};

export const CLOSED: Circuit = { state: "closed", failures: 0, untilMs: 0 };

export type CircuitPolicy = {
  /** Failing attempts in a row that open the circuit (WEBHOOK_CIRCUIT_FAILURES); 0 turns circuit breaking off. */
  failures: number;
  /** How long the circuit stays open before a probe (WEBHOOK_CIRCUIT_PROBE_INTERVAL_MS). */
  openMs: number;
  /** How long a claimed probe may take before another delivery may probe: an attempt's timeout and more. */
  probeLeaseMs: number;
};

export type Gate =
  | { kind: "send" }
  /** This delivery is the probe: store `next` (half-open) first; only if that wins, send. */
  | { kind: "probe"; next: Circuit }
  /** Not now: wait, and ask again at `untilMs`. */
  | { kind: "wait"; untilMs: number };

export function gate(circuit: Circuit, nowMs: number, policy: CircuitPolicy): Gate {
  if (circuit.state === "closed" || policy.failures === 0) return { kind: "send" };
  // While a probe is out, ask again after an interval at most: its answer may close the circuit long before its claim runs out.
  if (nowMs < circuit.untilMs) return { kind: "wait", untilMs: circuit.state === "half_open" ? Math.min(circuit.untilMs, nowMs + policy.openMs) : circuit.untilMs };
  // Open and due, or half-open with a probe that ran out of time: this one probes.
  return { kind: "probe", next: { state: "half_open", failures: circuit.failures, untilMs: nowMs + policy.probeLeaseMs } };
}

/**
 * What an outcome says of the endpoint: failing (no answer, a 5xx or a 429), or up (a 2xx,
 * another 4xx, 410); null for a refusal, which was never sent and so says nothing.
 */
export function endpointFailing(outcome: AttemptOutcome): boolean | null {
  if (outcome.kind === "refused") return null;
  if (outcome.kind !== "failed") return false;
  return outcome.statusCode === null || outcome.statusCode >= 500 || outcome.statusCode === 429;
}

/** The circuit after an attempt; unchanged (the same object) when nothing is to be stored. */
export function afterAttempt(circuit: Circuit, failing: boolean, nowMs: number, policy: CircuitPolicy): Circuit {
  if (policy.failures === 0) return circuit;
  if (!failing) return circuit.state === "closed" && circuit.failures === 0 ? circuit : CLOSED;
  if (circuit.state === "half_open") return { state: "open", failures: circuit.failures, untilMs: nowMs + policy.openMs };
  // A failure of an attempt sent before the circuit opened changes nothing more.
  if (circuit.state === "open") return circuit;
  const failures = circuit.failures + 1;
  return failures >= policy.failures ? { state: "open", failures, untilMs: nowMs + policy.openMs } : { ...circuit, failures };
}
