// Reads what the event stream recorded for one request, for assertions in tests.
import { DeliverPolicy } from "@nats-io/jetstream";
import { ChorusEvent } from "@chorus/contracts";
import type { IsolatedNats } from "./fixtures.ts";

/** Every event recorded for the request, in stream order. */
export async function recordedEventsOf(nats: Pick<IsolatedNats, "js" | "topology">, requestId: string): Promise<ChorusEvent[]> {
  const consumer = await nats.js.consumers.get(nats.topology.streams.events, {
    filter_subjects: nats.topology.subjects.requestEvents(requestId),
    deliver_policy: DeliverPolicy.All,
  });
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
