// Loads one request's state by folding its events from the event stream. Two loaders
// behind RequestLoader: `lastBySubjectLoader` (the default) reads the last message of each
// subject the state depends on, a cost independent of the stream's size; the ordered-consumer
// `streamRequestLoader` reads every event of the request and costs a consumer per load.
import { ChorusEvent, eventSubjectSuffix, type AgentId, type ChorusEventType, type Topology } from "@chorus/contracts";
import type { JetStreamClient, JetStreamManager } from "@chorus/platform";
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

/** The agent events whose last message decides an agent's run. */
const AGENT_FACTS: ChorusEventType[] = ["AgentDispatched", "AgentStarted", "AgentCompleted", "AgentFailed"];

/**
 * Loads state from the last message on each subject the decision depends on (accepted,
 * the ends, and each agent's dispatched/started/completed/failed), read through the
 * stream leader's message-get API so a read never misses a stored event (a direct get may
 * be served by a lagging replica). Every lookup is by subject, so a load costs the same
 * on a stream of a thousand events as on one of millions, where an ordered consumer's
 * creation grows with the stream. What it cannot see is a repeat on one subject (two
 * AgentCompleted for one agent, stored beyond the duplicate window): it folds the last of
 * them, where the stream loader folds the first; both are the same agent's outcome.
 */
export function lastBySubjectLoader(jsm: JetStreamManager, t: Topology): RequestLoader {
  const last = async (requestId: string, type: ChorusEventType, agent?: AgentId) => {
    const subject = `${t.prefix}.ev.request.${requestId}.${eventSubjectSuffix({ type, data: { agent } } as Pick<ChorusEvent, "type" | "data">)}`;
    return jsm.streams.getMessage(t.streams.events, { last_by_subj: subject }); // null: no such message
  };
  const parse = (m: { seq: number; subject: string; json<T>(): T }) => {
    const parsed = ChorusEvent.safeParse(m.json());
    if (!parsed.success) throw new UnreadableEventError(`event at ${t.streams.events}#${m.seq} on ${m.subject}: ${parsed.error.message}`);
    return { seq: m.seq, event: parsed.data };
  };
  const foldSorted = (found: ({ seq: number; subject: string; json<T>(): T } | null)[]) =>
    found
      .filter((m) => m !== null)
      .map(parse)
      .sort((a, b) => a.seq - b.seq)
      .reduce((state, { event }) => evolve(state, event), initialState);

  return async (requestId) => {
    const head = await Promise.all([last(requestId, "RequestAccepted"), last(requestId, "RequestCompleted"), last(requestId, "RequestFailed")]);
    const headState = foldSorted(head);
    // Nothing is decided for an unknown or ended request, so its agents need not be read.
    if (!headState.accepted || headState.end) return headState;
    const agents = headState.accepted.data.agents;
    const agentFacts = await Promise.all(agents.flatMap((agent) => AGENT_FACTS.map((type) => last(requestId, type, agent))));
    return foldSorted([...head, ...agentFacts]);
  };
}
