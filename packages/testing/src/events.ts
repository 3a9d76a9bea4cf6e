// Reads what the event stream recorded (for one request, or all of a prefix), for assertions in tests.
import { DeliverPolicy, type Consumer } from "@nats-io/jetstream";
import { ChorusEvent } from "@chorus/contracts";
import type { IsolatedNats } from "./fixtures.ts";

/** Reads everything the (ordered) consumer had pending when called, then deletes it. */
async function drain(consumer: Consumer): Promise<ChorusEvent[]> {
  const events: ChorusEvent[] = [];
  let pending = (await consumer.info(true)).num_pending;
  while (pending > 0) {
    const m = await consumer.next({ expires: 2000 });
    if (!m) break;
    events.push(ChorusEvent.parse(m.json()));
    pending = m.info.pending;
  }
  await consumer.delete().catch(() => undefined);
  return events;
}

/** Every event recorded for the request, in stream order. */
export async function recordedEventsOf(nats: Pick<IsolatedNats, "js" | "topology">, requestId: string): Promise<ChorusEvent[]> {
  return drain(
    await nats.js.consumers.get(nats.topology.streams.events, {
      filter_subjects: nats.topology.subjects.requestEvents(requestId),
      deliver_policy: DeliverPolicy.All,
    }),
  );
}

/** Every event the prefix's events stream holds, in stream order: one pass, however many requests. */
export async function allRecordedEvents(nats: Pick<IsolatedNats, "js" | "topology">): Promise<ChorusEvent[]> {
  return drain(await nats.js.consumers.get(nats.topology.streams.events, { deliver_policy: DeliverPolicy.All }));
}
