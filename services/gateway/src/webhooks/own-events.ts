// A request's facts in the event stream as the webhook routes read them: this tenant's
// only, so another tenant's request is not found, and 503 when the broker cannot answer.
import type { ChorusEvent, Topology } from "@chorus/contracts";
import type { JetStreamManager } from "@chorus/platform";
import { recordedEvents } from "../broker/lookup.ts";
import type { BrokerState } from "../broker/state.ts";
import { unavailable } from "../errors.ts";

export type OwnEventsDeps = { jsm: JetStreamManager; topology: Topology; broker: BrokerState; tenantId: string };

export async function ownRecordedEvents(deps: OwnEventsDeps, requestId: string): Promise<ChorusEvent[]> {
  if (!deps.broker.isUp()) throw unavailable("the message broker", undefined, requestId);
  try {
    return (await recordedEvents(deps.jsm, deps.topology, requestId)).filter((e) => e.tenant_id === deps.tenantId);
  } catch (err) {
    throw unavailable("the message broker", err, requestId);
  }
}
