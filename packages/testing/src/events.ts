// Reads what the event stream recorded (on one filter, for one request, or all of a prefix), for assertions in tests.
import { DeliverPolicy, type Consumer } from "@nats-io/jetstream";
import { ChorusEvent } from "@chorus/contracts";
import type { IsolatedNats } from "./fixtures.ts";

/** Reads everything the (ordered) consumer had pending when called, in batches, then deletes it. */
async function drain(consumer: Consumer): Promise<ChorusEvent[]> {
  try {
    const events: ChorusEvent[] = [];
    let pending = (await consumer.info(true)).num_pending;
    while (pending > 0) {
      const batch = await consumer.fetch({ max_messages: Math.min(pending, 500), expires: 5_000 });
      let received = 0;
      for await (const m of batch) {
        received++;
        events.push(ChorusEvent.parse(m.json()));
        pending = m.info.pending;
      }
      if (received === 0) break;
    }
    return events;
  } finally {
    await consumer.delete().catch(() => undefined);
  }
}

/** Every event stored on `filterSubject` (one of `nats.topology.subjects`, wildcards allowed), in stream order. */
export async function recordedEventsOn(nats: Pick<IsolatedNats, "js" | "topology">, filterSubject: string): Promise<ChorusEvent[]> {
  return drain(await nats.js.consumers.get(nats.topology.streams.events, { filter_subjects: filterSubject, deliver_policy: DeliverPolicy.All }));
}

/** Every event recorded for the request, in stream order. */
export function recordedEventsOf(nats: Pick<IsolatedNats, "js" | "topology">, requestId: string): Promise<ChorusEvent[]> {
  return recordedEventsOn(nats, nats.topology.subjects.requestEvents(requestId));
}

/** Every event the prefix's events stream holds, in stream order: one pass, however many requests. */
export function allRecordedEvents(nats: Pick<IsolatedNats, "js" | "topology">): Promise<ChorusEvent[]> {
  return recordedEventsOn(nats, nats.topology.subjects.allEvents);
}
