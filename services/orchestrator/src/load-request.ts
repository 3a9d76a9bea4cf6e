// Loads one request's state by folding its events from the event stream, read with an
// ordered consumer on that request's subjects. Behind RequestLoader so a faster loader
// (a snapshot cache, batch direct get on 2.11+) can replace it without touching the rest.
import { ChorusEvent, type Topology } from "@chorus/contracts";
import type { JetStreamClient } from "@chorus/platform";
import { evolve, initialState, type RequestState } from "./request/index.ts";

export type RequestLoader = (requestId: string) => Promise<RequestState>;

/** An event in the stream that this orchestrator cannot read; deciding without it could be wrong. */
export class UnreadableEventError extends Error {
  override name = "UnreadableEventError";
}

const BATCH = 256;

export function streamRequestLoader(js: JetStreamClient, t: Topology): RequestLoader {
  return async (requestId) => {
    // ONE filter subject as a string: several filter_subjects need NATS 2.10.
    const consumer = await js.consumers.get(t.streams.events, {
      filter_subjects: t.subjects.requestEvents(requestId),
      inactive_threshold: 30_000,
    });
    try {
      let state = initialState;
      let pending = (await consumer.info(true)).num_pending;
      while (pending > 0) {
        const batch = await consumer.fetch({ max_messages: Math.min(pending, BATCH), expires: 5_000 });
        let received = 0;
        for await (const m of batch) {
          received++;
          const parsed = ChorusEvent.safeParse(m.json());
          if (!parsed.success) throw new UnreadableEventError(`event at ${t.streams.events}#${m.seq} on ${m.subject}: ${parsed.error.message}`);
          state = evolve(state, parsed.data);
          pending = m.info.pending;
        }
        // Messages counted as pending can age out of the stream before they are read.
        if (received === 0) break;
      }
      return state;
    } finally {
      await consumer.delete().catch(() => undefined);
    }
  };
}
