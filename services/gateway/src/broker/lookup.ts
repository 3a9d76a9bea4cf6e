// Reads of one request's facts from the event stream without a consumer, through the
// stream leader (see lastRequestEvent): what bridges the gap while the read models lag.
import { AGENT_IDS, type AgentId, type ChorusEvent, type EventOf, type Topology } from "@chorus/contracts";
import { lastRequestEvent, type JetStreamManager, type RecordedEvent } from "@chorus/platform";

type Suffix = "accepted" | "completed" | "failed";
type BySuffix = { accepted: EventOf<"RequestAccepted">; completed: EventOf<"RequestCompleted">; failed: EventOf<"RequestFailed"> };

export async function lastEventOf<S extends Suffix>(jsm: JetStreamManager, t: Topology, requestId: string, suffix: S): Promise<BySuffix[S] | undefined> {
  return (await lastRequestEvent(jsm, t, requestId, suffix))?.event as BySuffix[S] | undefined;
}

const inStreamOrder = (found: (RecordedEvent | undefined)[]): RecordedEvent[] => found.filter((f) => f !== undefined).sort((a, b) => a.seq - b.seq);
const bySeq = (found: (RecordedEvent | undefined)[]): ChorusEvent[] => inStreamOrder(found).map((f) => f.event);

/** The request's accepted and end events with their stream sequences, as far as they exist, in stream order. */
export async function recordedFacts(jsm: JetStreamManager, t: Topology, requestId: string): Promise<RecordedEvent[]> {
  return inStreamOrder(await Promise.all((["accepted", "completed", "failed"] as const).map((suffix) => lastRequestEvent(jsm, t, requestId, suffix))));
}

/** The request's accepted and end events, as far as they exist, in stream order. */
export async function recordedEvents(jsm: JetStreamManager, t: Topology, requestId: string): Promise<ChorusEvent[]> {
  return (await recordedFacts(jsm, t, requestId)).map((f) => f.event);
}

/** When the request was erased, if it was and is the tenant's: its RequestErased tombstone is then all the stream holds of it. */
export async function erasedAt(jsm: JetStreamManager, t: Topology, requestId: string, tenantId: string): Promise<string | undefined> {
  const erased = await lastRequestEvent(jsm, t, requestId, "erased");
  return erased && erased.event.tenant_id === tenantId ? erased.event.occurred_at : undefined;
}

const AGENT_STEPS = ["dispatched", "started", "completed", "failed"] as const;

/**
 * Every agent's latest recorded step (dispatched, started, outcome) of a request that has
 * not ended, in stream order: what a view needs to be as far along as the stream.
 * `dispatchedByAccept`: the accept was the dispatch (version 2, parallel), so there is no
 * AgentDispatched to read.
 */
export async function agentProgress(
  jsm: JetStreamManager,
  t: Topology,
  requestId: string,
  agents: readonly AgentId[] = AGENT_IDS,
  options: { dispatchedByAccept?: boolean } = {},
): Promise<ChorusEvent[]> {
  const steps = options.dispatchedByAccept ? AGENT_STEPS.filter((step) => step !== "dispatched") : AGENT_STEPS;
  const reads = agents.flatMap((agent) => steps.map((step) => lastRequestEvent(jsm, t, requestId, `agent.${agent}.${step}`)));
  return bySeq(await Promise.all(reads));
}
