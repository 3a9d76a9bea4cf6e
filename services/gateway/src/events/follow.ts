// Following one request's recorded events in order, from the first (or after a given
// stream sequence) to its end event, with an ordered consumer on the request's subject.
// The one follower behind both SSE (`/results/{id}/events`) and gRPC WatchRequest.
import { DeliverPolicy } from "@nats-io/jetstream";
import { ChorusEvent, isEndEvent, type Topology } from "@chorus/contracts";
import { lastRequestEvent, type JetStreamClient, type JetStreamManager, type Logger } from "@chorus/platform";

export type FollowDeps = {
  js: JetStreamClient;
  jsm: JetStreamManager;
  topology: Topology;
  tenantId: string;
  logger: Logger;
};

/** One recorded event and its stream sequence (what SSE ids and Last-Event-ID carry). */
export type FollowedEvent = { seq: number; event: ChorusEvent };

export type Following =
  | { kind: "not_found" }
  /** Erased: of all its events only the RequestErased tombstone is left, and nothing is replayed. */
  | { kind: "erased"; erasedAt: string }
  | { kind: "following"; events: AsyncIterable<FollowedEvent> };

/**
 * Opens the follow. A request counts as known once its RequestAccepted is recorded, which
 * is before any 2xx of its submission (GET /results answers from it too); until then, and
 * for another tenant's request, it is not found.
 * `afterSeq` resumes after that stream sequence. Ends after the end event, or on `signal`.
 * Events recorded after the end (webhook attempts) are not part of the follow.
 */
export async function followRequest(deps: FollowDeps, requestId: string, options: { afterSeq?: number; signal?: AbortSignal } = {}): Promise<Following> {
  const lastOf = (suffix: string) => lastRequestEvent(deps.jsm, deps.topology, requestId, suffix);
  // The tombstone first: until the projector has deleted them, an erased request's events are still there.
  const [accepted, erased] = await Promise.all([lastOf("accepted"), lastOf("erased")]);
  if (erased && erased.event.tenant_id === deps.tenantId) return { kind: "erased", erasedAt: erased.event.occurred_at };
  if (!accepted || accepted.event.tenant_id !== deps.tenantId) return { kind: "not_found" };
  const [completed, failed] = await Promise.all([lastOf("completed"), lastOf("failed")]);
  const endSeq = completed?.seq ?? failed?.seq;
  const afterSeq = options.afterSeq ?? 0;
  if (endSeq !== undefined && afterSeq >= endSeq) return { kind: "following", events: (async function* () {})() };

  const consumer = await deps.js.consumers.get(deps.topology.streams.events, {
    filter_subjects: deps.topology.subjects.requestEvents(requestId),
    ...(afterSeq > 0 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: afterSeq + 1 } : { deliver_policy: DeliverPolicy.All }),
  });
  const log = deps.logger.child({ request_id: requestId });
  const signal = options.signal;

  async function* events(): AsyncGenerator<FollowedEvent> {
    if (signal?.aborted) return;
    const messages = await consumer.consume({ max_messages: 64 });
    const stop = () => void messages.stop();
    signal?.addEventListener("abort", stop, { once: true });
    try {
      for await (const m of messages) {
        let parsed;
        try {
          parsed = ChorusEvent.safeParse(m.json());
        } catch {
          parsed = undefined;
        }
        if (!parsed?.success) {
          log.warn({ subject: m.subject, seq: m.seq }, "skipping an event that does not match its schema");
          continue;
        }
        yield { seq: m.seq, event: parsed.data };
        if (isEndEvent(parsed.data)) return;
      }
    } finally {
      signal?.removeEventListener("abort", stop);
      stop();
    }
  }
  return { kind: "following", events: events() };
}
