// Loads one request's state by folding its events from the event stream. Two loaders
// behind RequestLoader: `lastBySubjectLoader` (the default) reads the last message of each
// subject the state depends on, a cost independent of the stream's size; the ordered-consumer
// `streamRequestLoader` reads every event of the request and costs a consumer per load.
import { ChorusEvent, type Topology } from "@chorus/contracts";
import { lastRequestEvent, UnreadableEventError, type JetStreamClient, type JetStreamManager } from "@chorus/platform";
import { knownFacts, type KnownFact, type KnownFacts } from "./known-facts.ts";
import { evolve, initialState, type RequestState } from "./request/index.ts";

export type LoadOptions = {
  /** Also read whether each agent has started (needed to resend outstanding tasks). */
  includeStarted?: boolean;
};

export type RequestLoader = (requestId: string, options?: LoadOptions) => Promise<RequestState>;

export { UnreadableEventError };

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

/**
 * Loads state from the last message on each subject the decision depends on (accepted,
 * the ends, and each agent's dispatched/started/completed/failed), read through the
 * stream leader's message-get API so a read never misses a stored event (a direct get may
 * be served by a lagging replica). Every lookup is by subject, so a load costs the same
 * on a stream of a thousand events as on one of millions, where an ordered consumer's
 * creation grows with the stream. What it cannot see is a repeat on one subject (two
 * AgentCompleted for one agent, stored beyond the duplicate window): it folds the last of
 * them, where the stream loader folds the first; both are the same agent's outcome.
 *
 * With `facts`, subjects already known to hold their fact are not read again; each read
 * is remembered there. A request known to have ended loads as just its end: nothing more
 * is decided for it. AgentStarted is read only with `includeStarted` (it matters only to
 * resending outstanding tasks) and an agent with one outcome is not asked for the other:
 * one outcome per agent is stored (they share a message id).
 */
export function lastBySubjectLoader(jsm: JetStreamManager, t: Topology, facts: KnownFacts = knownFacts(0)): RequestLoader {
  const read = async (requestId: string, known: ReadonlyMap<string, KnownFact>, suffix: string): Promise<KnownFact | null> => {
    const hit = known.get(suffix);
    if (hit) return hit;
    // Unreadable throws: deciding without that fact could be wrong.
    const found = await lastRequestEvent(jsm, t, requestId, suffix, "throw");
    if (!found) return null;
    facts.remember(found.event, found.seq);
    return found;
  };
  const foldSorted = (found: (KnownFact | null)[]) =>
    found
      .filter((f) => f !== null)
      .sort((a, b) => a.seq - b.seq)
      .reduce((state, { event }) => evolve(state, event), initialState);

  return async (requestId, options = {}) => {
    const known = facts.of(requestId);
    const end = known.get("completed") ?? known.get("failed");
    if (end) return foldSorted([end]);
    const head = await Promise.all(["accepted", "completed", "failed"].map((suffix) => read(requestId, known, suffix)));
    const headState = foldSorted(head);
    // Nothing is decided for an unknown or ended request, so its agents need not be read.
    if (!headState.accepted || headState.end) return headState;
    const agentFacts = await Promise.all(
      headState.accepted.data.agents.map(async (agent) => {
        const outcomes = [`agent.${agent}.completed`, `agent.${agent}.failed`];
        const knownOutcome = outcomes.map((suffix) => known.get(suffix)).find((f) => f !== undefined);
        return Promise.all([
          read(requestId, known, `agent.${agent}.dispatched`),
          options.includeStarted ? read(requestId, known, `agent.${agent}.started`) : null,
          ...(knownOutcome ? [knownOutcome] : outcomes.map((suffix) => read(requestId, known, suffix))),
        ]);
      }),
    );
    return foldSorted([...head, ...agentFacts.flat()]);
  };
}
