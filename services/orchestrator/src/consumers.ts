// The durable consumers the orchestrator owns, and how each one is configured.
import type { Topology } from "@chorus/contracts";
import type { DurableSpec } from "@chorus/platform";

export const DURABLES = {
  commands: "orchestrator-commands",
  deadlines: "orchestrator-deadlines",
  agentEvents: "orchestrator-agent-events",
} as const;

/** Deliveries before a submit or an agent event that keeps failing is dead-lettered. */
export const MAX_DELIVER = 10;

export function durableSpecs(t: Topology): Record<keyof typeof DURABLES, DurableSpec> {
  return {
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
    agentEvents: {
      stream: t.streams.events,
      durable: DURABLES.agentEvents,
      filterSubject: t.subjects.agentEvents,
      ackWaitMs: 30_000,
      maxDeliver: MAX_DELIVER,
      maxAckPending: 1_000,
    },
  };
}
