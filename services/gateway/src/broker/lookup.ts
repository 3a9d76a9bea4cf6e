// Reads of single facts from the event stream without a consumer: the last message on
// a request's exact subject, by direct get (the events stream has allow_direct).
import { ChorusEvent, SubmitRequest, type EventOf, type Topology } from "@chorus/contracts";
import type { JetStreamManager } from "@chorus/platform";

type Suffix = "accepted" | "completed" | "failed";
type BySuffix = { accepted: EventOf<"RequestAccepted">; completed: EventOf<"RequestCompleted">; failed: EventOf<"RequestFailed"> };

export async function lastEventOf<S extends Suffix>(jsm: JetStreamManager, t: Topology, requestId: string, suffix: S): Promise<BySuffix[S] | undefined> {
  const msg = await jsm.direct.getMessage(t.streams.events, { last_by_subj: `${t.prefix}.ev.request.${requestId}.${suffix}` });
  if (!msg) return undefined;
  const parsed = ChorusEvent.safeParse(msg.json());
  return parsed.success ? (parsed.data as BySuffix[S]) : undefined;
}

/** The request's accepted and end events, as far as they exist. */
export async function recordedEvents(jsm: JetStreamManager, t: Topology, requestId: string): Promise<ChorusEvent[]> {
  const [accepted, completed, failed] = await Promise.all([
    lastEventOf(jsm, t, requestId, "accepted"),
    lastEventOf(jsm, t, requestId, "completed"),
    lastEventOf(jsm, t, requestId, "failed"),
  ]);
  const events: ChorusEvent[] = [];
  if (accepted) events.push(accepted);
  const end = completed ?? failed;
  if (end) events.push(end);
  return events;
}

/** A SubmitRequest still waiting in the commands stream at `seq`, if it is still there. */
export async function storedSubmission(jsm: JetStreamManager, t: Topology, seq: number) {
  const msg = await jsm.streams.getMessage(t.streams.commands, { seq });
  if (!msg) return undefined;
  const parsed = SubmitRequest.safeParse(msg.json());
  return parsed.success ? parsed.data : undefined;
}
