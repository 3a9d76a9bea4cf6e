// The durable consumers the orchestrator owns, and how each one is configured.
import type { Topology } from "@chorus/contracts";
import { DeliverPolicy, ensureDurable, ensureRequestAcceptsDurable, isNotFound, REQUEST_ACCEPTS_DURABLE, requestAcceptsDurable, type DurableSpec, type JetStreamManager } from "@chorus/platform";

export const DURABLES = {
  /** Every RequestAccepted: how a request starts (shared spec: see requestAcceptsDurable). */
  accepted: REQUEST_ACCEPTS_DURABLE,
  /** SubmitRequest commands stored by an earlier gateway, which left accepting to the orchestrator. */
  commands: "orchestrator-commands",
  deadlines: "orchestrator-deadlines",
  agentCompleted: "orchestrator-agent-completed",
  agentFailed: "orchestrator-agent-failed",
} as const;

/**
 * The durable over every agent event that the two outcome durables replaced (88e2541,
 * 2026-11-25): it was handed the dispatches and starts too (two of every three agent
 * events), only to ack them.
 *
 * Removal: once every deployment has run an orchestrator that includes 88e2541 (its first
 * start takes the retired durable's position and deletes it), delete this constant, the
 * take-over in ensureOrchestratorDurables and its test in durables.int.test.ts. Until then
 * it costs one consumer lookup at start-up; a stream that never had the durable skips it.
 */
export const RETIRED_AGENT_EVENTS_DURABLE = "orchestrator-agent-events";

/** Deliveries before a submit or an agent event that keeps failing is dead-lettered. */
export const MAX_DELIVER = 10;

function durableSpecs(t: Topology): Record<keyof typeof DURABLES, DurableSpec> {
  return {
    accepted: requestAcceptsDurable(t),
    commands: {
      stream: t.streams.commands,
      durable: DURABLES.commands,
      filterSubject: t.subjects.submit,
      ackWaitMs: 30_000,
      maxDeliver: MAX_DELIVER,
      maxAckPending: 1_000,
    },
    deadlines: {
      stream: t.streams.commands,
      durable: DURABLES.deadlines,
      filterSubject: t.subjects.agentDeadline,
      ackWaitMs: 30_000,
      // Each delayed redelivery (nak with delay) counts as a delivery: a deadline may wait
      // through any number of them, so there is no limit.
      maxDeliver: -1,
      // A waiting deadline stays unacked until it is due; one per running agent.
      maxAckPending: 50_000,
    },
    agentCompleted: agentOutcomeSpec(t, DURABLES.agentCompleted, "completed"),
    agentFailed: agentOutcomeSpec(t, DURABLES.agentFailed, "failed"),
  };
}

function agentOutcomeSpec(t: Topology, durable: string, outcome: "completed" | "failed"): DurableSpec {
  return {
    stream: t.streams.events,
    durable,
    filterSubject: t.subjects.agentOutcomes(outcome),
    ackWaitMs: 30_000,
    maxDeliver: MAX_DELIVER,
    maxAckPending: 1_000,
  };
}

/**
 * Creates or updates every durable the orchestrator owns. On a stream that still has the
 * retired agent-events durable, the outcome durables start where it stood (its ack floor),
 * so an upgrade neither replays every past outcome nor skips one, and it is then removed
 * (an upgrade step: see RETIRED_AGENT_EVENTS_DURABLE for when it can go).
 */
export async function ensureOrchestratorDurables(jsm: JetStreamManager, t: Topology): Promise<Record<keyof typeof DURABLES, DurableSpec>> {
  const specs = durableSpecs(t);
  const retired = await jsm.consumers.info(t.streams.events, RETIRED_AGENT_EVENTS_DURABLE).catch((err: unknown) => {
    if (isNotFound(err)) return null;
    throw err;
  });
  const takeOver = retired ? { deliverPolicy: DeliverPolicy.StartSequence, optStartSeq: retired.ack_floor.stream_seq + 1 } : {};
  await ensureRequestAcceptsDurable(jsm, t);
  await ensureDurable(jsm, specs.commands);
  await ensureDurable(jsm, specs.deadlines);
  await ensureDurable(jsm, { ...specs.agentCompleted, ...takeOver });
  await ensureDurable(jsm, { ...specs.agentFailed, ...takeOver });
  if (retired) {
    await jsm.consumers.delete(t.streams.events, RETIRED_AGENT_EVENTS_DURABLE).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  }
  return specs;
}
