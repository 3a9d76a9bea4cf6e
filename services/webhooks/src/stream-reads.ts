// Single facts read from the streams without a consumer: a request's end event, whether
// an end message is the first of its request, the request's newest webhook facts, and
// whether a manual redelivery of it is waiting or running. Facts a decision rests on are
// read through the stream leader: a direct get may come from a replica that lags.
import { isEndEvent, type RequestEndEvent, type Topology } from "@chorus/contracts";
import { isNotFound, lastRequestEvent, type JetStreamManager } from "@chorus/platform";

async function direct(jsm: JetStreamManager, t: Topology, query: { last_by_subj: string } | { next_by_subj: string; seq: number }) {
  try {
    return await jsm.direct.getMessage(t.streams.events, query);
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

/** The request's end event (completed or failed), if it has ended. */
export async function endEventOf(jsm: JetStreamManager, t: Topology, requestId: string): Promise<RequestEndEvent | undefined> {
  for (const end of ["completed", "failed"] as const) {
    const event = (await lastRequestEvent(jsm, t, requestId, end))?.event;
    if (event && isEndEvent(event)) return event;
  }
  return undefined;
}

/**
 * The stream sequence of the first message on `subject`: a second copy of an end event
 * (published again after the duplicate window) is recognised by not being the first.
 */
export async function firstSequenceOn(jsm: JetStreamManager, t: Topology, subject: string): Promise<number | undefined> {
  const msg = await direct(jsm, t, { next_by_subj: subject, seq: 1 });
  return msg?.seq;
}

/** A RedeliverWebhook for the request is in the commands stream: queued, or its chain still runs. */
export async function redeliveryPending(jsm: JetStreamManager, t: Topology, requestId: string): Promise<boolean> {
  return (await jsm.streams.getMessage(t.streams.commands, { last_by_subj: t.subjects.webhookRedeliver(requestId) })) !== null;
}
