// What a manual retry is decided on, read from the event stream through its leader (the
// read model may lag): the request's end and its newest webhook attempt and outcome.
import type { Topology } from "@chorus/contracts";
import { lastRequestEvent, type JetStreamManager } from "@chorus/platform";
import type { DeliveryFacts } from "./retry-verdict.ts";

/** Undefined when the request has not ended. */
export async function deliveryFactsOf(jsm: JetStreamManager, t: Topology, requestId: string): Promise<DeliveryFacts | undefined> {
  const [completed, failed, attempted, delivered, exhausted] = await Promise.all(
    ["completed", "failed", "webhook.attempted", "webhook.delivered", "webhook.exhausted"].map((suffix) => lastRequestEvent(jsm, t, requestId, suffix)),
  );
  const end = completed ?? failed;
  if (!end) return undefined;
  const facts: DeliveryFacts = { end: { seq: end.seq, occurredAt: end.event.occurred_at } };
  if (attempted?.event.type === "WebhookAttempted") {
    const { data } = attempted.event;
    facts.lastAttempt = { seq: attempted.seq, attempt: data.attempt, occurredAt: attempted.event.occurred_at, nextAttemptAt: data.next_attempt_at };
  }
  const outcomeSeq = Math.max(delivered?.seq ?? 0, exhausted?.seq ?? 0);
  if (outcomeSeq > 0) facts.lastOutcome = { seq: outcomeSeq };
  return facts;
}
