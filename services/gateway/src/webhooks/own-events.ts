// A request's facts in the event stream as the webhook routes read them: this tenant's
// only, so another tenant's request is not found, and 503 when the broker cannot answer.
import type { Topology } from "@chorus/contracts";
import type { JetStreamManager, RecordedEvent } from "@chorus/platform";
import { erasedAt, recordedFacts } from "../broker/lookup.ts";
import type { BrokerState } from "../broker/state.ts";
import { gone, unavailable } from "../errors.ts";

export type OwnEventsDeps = { jsm: JetStreamManager; topology: Topology; broker: BrokerState; tenantId: string };

/** The request's accepted and end events with their stream sequences, in stream order; none for another tenant's request. */
export async function ownRecordedFacts(deps: OwnEventsDeps, requestId: string): Promise<RecordedEvent[]> {
  if (!deps.broker.isUp()) throw unavailable("the message broker", undefined, requestId);
  try {
    return (await recordedFacts(deps.jsm, deps.topology, requestId)).filter((f) => f.event.tenant_id === deps.tenantId);
  } catch (err) {
    throw unavailable("the message broker", err, requestId);
  }
}

/**
 * An erased request of this tenant is a Gone error, from its DELETE on (the read model may
 * not know yet). With NATS down or not answering, unknown: what follows decides (the read
 * model knows an erasure it has applied).
 */
export async function refuseErased(deps: OwnEventsDeps, requestId: string): Promise<void> {
  if (!deps.broker.isUp()) return;
  const erased = await erasedAt(deps.jsm, deps.topology, requestId, deps.tenantId).catch(() => undefined);
  if (erased) throw gone(requestId, erased);
}
