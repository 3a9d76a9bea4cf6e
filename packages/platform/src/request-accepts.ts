// The durable through which the orchestrator starts every request: its RequestAccepted
// events. Owned by the orchestrator but ensured by the gateway too, before the gateway
// records its first RequestAccepted: whichever starts first, no accepted request is
// stored while nobody would be handed it.
import type { Topology } from "@chorus/contracts";
import { DeliverPolicy, ensureDurable, type DurableSpec, type JetStreamManager } from "./nats.ts";

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

export async function ensureRequestAcceptsDurable(jsm: JetStreamManager, t: Topology): Promise<DurableSpec> {
  const spec = requestAcceptsDurable(t);
  await ensureDurable(jsm, spec);
  return spec;
}
