// What a manual retry is decided on, read from the event stream through its leader (the
// read model may lag): the request's end and its newest webhook attempt and outcome.
import type { Topology } from "@chorus/contracts";
import { lastRequestEvent, newestWebhookFacts, type JetStreamManager } from "@chorus/platform";
import type { DeliveryFacts } from "./retry-verdict.ts";

/** Undefined when the request has not ended. */
export async function deliveryFactsOf(jsm: JetStreamManager, t: Topology, requestId: string): Promise<DeliveryFacts | undefined> {
  const [completed, failed, webhook] = await Promise.all([lastRequestEvent(jsm, t, requestId, "completed"), lastRequestEvent(jsm, t, requestId, "failed"), newestWebhookFacts(jsm, t, requestId)]);
  const end = completed ?? failed;
  return end ? { end: { seq: end.seq, occurredAt: end.event.occurred_at }, ...webhook } : undefined;
}
