// Reading one request's recorded facts from the event stream without a consumer: the
// last message on one of its subjects (`accepted`, `completed`, `agent.<id>.started`, …).
// Read through the stream leader's message-get API, not a direct get: a direct get may be
// answered by a replica that has not yet stored what the leader acknowledged, and a read
// right after a write must see it.
import { ChorusEvent, type Topology } from "@chorus/contracts";
import type { MsgRequest, StoredMsg } from "@nats-io/jetstream";
import type { JetStreamManager } from "./nats.ts";

/** A recorded event and its stream sequence. */
export type RecordedEvent = { seq: number; event: ChorusEvent };

/** The stored message does not match any event schema this version knows. */
export class UnreadableEventError extends Error {
  override name = "UnreadableEventError";
}

/**
 * The last event on `<prefix>.ev.request.<id>.<suffix>`, or undefined when there is none.
 * An unreadable message is an UnreadableEventError with `onUnreadable: "throw"` (deciding
 * without it could be wrong), and is skipped (undefined) with `"skip"` (a read for a person).
 */
export async function lastRequestEvent(
  jsm: JetStreamManager,
  t: Topology,
  requestId: string,
  suffix: string,
  onUnreadable: "throw" | "skip" = "skip",
): Promise<RecordedEvent | undefined> {
  const m = await jsm.streams.getMessage(t.streams.events, { last_by_subj: t.subjects.requestEvent(requestId, suffix) });
  if (!m) return undefined;
  let parsed;
  try {
    parsed = ChorusEvent.safeParse(m.json());
  } catch {
    parsed = undefined;
  }
  if (parsed?.success) return { seq: m.seq, event: parsed.data };
  if (onUnreadable === "throw") throw new UnreadableEventError(`event at ${t.streams.events}#${m.seq} on ${m.subject}: ${parsed ? parsed.error.message : "not JSON"}`);
  return undefined;
}

/** A request's newest webhook facts: its newest WebhookAttempted, and its newest outcome (WebhookDelivered or WebhookExhausted). */
export type NewestWebhookFacts = {
  lastAttempt?: { seq: number; attempt: number; occurredAt: string; nextAttemptAt: string | null };
  lastOutcome?: { seq: number };
};

/**
 * The newest webhook attempt and outcome of a request, from the stream (through its
 * leader): what the webhook service continues a chain on and the gateway decides a
 * manual retry on.
 */
export async function newestWebhookFacts(jsm: JetStreamManager, t: Topology, requestId: string): Promise<NewestWebhookFacts> {
  const [attempted, delivered, exhausted] = await Promise.all(["attempted", "delivered", "exhausted"].map((s) => lastRequestEvent(jsm, t, requestId, `webhook.${s}`)));
  const facts: NewestWebhookFacts = {};
  if (attempted?.event.type === "WebhookAttempted") {
    const { data } = attempted.event;
    facts.lastAttempt = { seq: attempted.seq, attempt: data.attempt, occurredAt: attempted.event.occurred_at, nextAttemptAt: data.next_attempt_at };
  }
  const outcomeSeq = Math.max(delivered?.seq ?? 0, exhausted?.seq ?? 0);
  if (outcomeSeq > 0) facts.lastOutcome = { seq: outcomeSeq };
  return facts;
}

/** How many messages each of the request's subjects holds in the events stream (the stream's own per-subject index, no message read). */
export async function storedPerSubject(jsm: JetStreamManager, t: Topology, requestId: string): Promise<Record<string, number>> {
  const info = await jsm.streams.info(t.streams.events, { subjects_filter: t.subjects.requestEvents(requestId) });
  return info.state.subjects ?? {};
}

/**
 * The first message on `subject` (wildcards allowed) at or after `fromSeq`, through the
 * stream leader's message-get; null when there is none. Reads a subject's messages one by
 * one without a consumer: gaps cost nothing. `next_by_subj` is in the server's API (NATS
 * 2.9+) though not in the client's request type.
 */
export async function nextMessageOn(jsm: JetStreamManager, stream: string, subject: string, fromSeq: number): Promise<StoredMsg | null> {
  return jsm.streams.getMessage(stream, { seq: fromSeq, next_by_subj: subject } as unknown as MsgRequest);
}
