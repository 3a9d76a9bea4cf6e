// The durables over RequestAccepted events: the orchestrator's, through which it starts
// every request, and one per agent, through which each agent runs its part of a parallel
// request straight from the accept (version 2). Owned by the orchestrator and the agents,
// but ensured by the gateway too, before the gateway records its first RequestAccepted:
// whichever starts first, no accepted request is stored while nobody would be handed it.
import { AGENT_IDS, type AgentId, type Topology } from "@chorus/contracts";
import { createDurableIfMissing, DeliverPolicy, ensureDurable, type DurableSpec, type JetStreamManager } from "./nats.ts";

export const REQUEST_ACCEPTS_DURABLE = "orchestrator-accepted";

export function requestAcceptsDurable(t: Topology): DurableSpec {
  return {
    stream: t.streams.events,
    durable: REQUEST_ACCEPTS_DURABLE,
    filterSubject: t.subjects.requestAccepts,
    ackWaitMs: 30_000,
    maxDeliver: 10,
    maxAckPending: 1_000,
    // New, not All: created on a stream written by an earlier version, whose requests were
    // accepted (and dispatched in the same step) from SubmitRequest commands, it must not
    // replay every past accept. Nothing new is missed: both of its users ensure it before
    // any accept of theirs is recorded.
    deliverPolicy: DeliverPolicy.New,
  };
}

/** An agent's durable over accepts: `agent-<agent>-accepted`. */
export const agentAcceptsDurableName = (agent: AgentId) => `agent-${agent}-accepted`;

/** What the agents' service configures on its accept durables (the gateway creates them with the defaults). */
export type AgentAcceptsLimits = { ackWaitMs: number; maxDeliver: number; maxAckPending: number };

/** The agents' service defaults (AGENT_ACK_WAIT_MS, AGENT_MAX_DELIVER, 4 slots × 16). */
export const DEFAULT_AGENT_ACCEPTS_LIMITS: AgentAcceptsLimits = { ackWaitMs: 30_000, maxDeliver: 5, maxAckPending: 64 };

export function agentAcceptsDurable(t: Topology, agent: AgentId, limits: AgentAcceptsLimits = DEFAULT_AGENT_ACCEPTS_LIMITS): DurableSpec {
  return {
    stream: t.streams.events,
    durable: agentAcceptsDurableName(agent),
    filterSubject: t.subjects.requestAccepts,
    ...limits,
    // New, as for the orchestrator's: accepts stored before it (by an earlier version, which
    // dispatched through tasks) are not this agent's to run.
    deliverPolicy: DeliverPolicy.New,
  };
}

/**
 * What the gateway ensures before its first accept: the orchestrator's durable, and every
 * agent's (created if missing, never reconfigured: the agents' service sets their limits).
 */
export async function ensureRequestAcceptsDurable(jsm: JetStreamManager, t: Topology): Promise<DurableSpec> {
  const spec = requestAcceptsDurable(t);
  await ensureDurable(jsm, spec);
  await Promise.all(AGENT_IDS.map((agent) => createDurableIfMissing(jsm, agentAcceptsDurable(t, agent))));
  return spec;
}
