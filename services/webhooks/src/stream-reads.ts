// Single facts read from the event stream by direct get, without a consumer: a
// request's end event, whether an end message is the first of its request, and the
// newest delivery outcome (delivered / exhausted) of a request.
import { ChorusEvent, isEndEvent, type RequestEndEvent, type Topology } from "@chorus/contracts";
import { isNotFound, type JetStreamManager } from "@chorus/platform";

async function direct(jsm: JetStreamManager, t: Topology, query: { last_by_subj: string } | { next_by_subj: string; seq: number }) {
  try {
    return await jsm.direct.getMessage(t.streams.events, query);
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

function parsed(msg: { json<T>(): T } | null): ChorusEvent | undefined {
  if (!msg) return undefined;
  const result = ChorusEvent.safeParse(msg.json());
  return result.success ? result.data : undefined;
}

/** The request's end event (completed or failed), if it has ended. */
export async function endEventOf(jsm: JetStreamManager, t: Topology, requestId: string): Promise<RequestEndEvent | undefined> {
  for (const end of ["completed", "failed"] as const) {
    const event = parsed(await direct(jsm, t, { last_by_subj: `${t.prefix}.ev.request.${requestId}.${end}` }));
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

/** When the request's newest delivery round ended (delivered or exhausted), if one did. */
export async function lastRoundEndAt(jsm: JetStreamManager, t: Topology, requestId: string): Promise<string | undefined> {
  const times: string[] = [];
  for (const suffix of ["webhook.delivered", "webhook.exhausted"]) {
    const event = parsed(await direct(jsm, t, { last_by_subj: `${t.prefix}.ev.request.${requestId}.${suffix}` }));
    if (event) times.push(event.occurred_at);
  }
  return times.sort((a, b) => Date.parse(b) - Date.parse(a))[0];
}

/**
 * The newest attempt number recorded for the request since `since` (the round's start), or 0.
 * The delivery count alone is not enough: a message redelivered to a restarted process
 * was seen to come back with its count reset.
 */
export async function lastAttemptSince(jsm: JetStreamManager, t: Topology, requestId: string, since: string): Promise<number> {
  const event = parsed(await direct(jsm, t, { last_by_subj: `${t.prefix}.ev.request.${requestId}.webhook.attempted` }));
  if (event?.type !== "WebhookAttempted" || Date.parse(event.occurred_at) < Date.parse(since)) return 0;
  return event.data.attempt;
}
