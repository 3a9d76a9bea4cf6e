// Loads one request's state by folding its events from the event stream:
// `lastBySubjectLoader` reads the last message of each subject the state depends on, a
// cost independent of the stream's size, and keeps the facts it has seen stored so it
// need not read them again.
import { dispatchedByAccept, type ChorusEvent, type Topology } from "@chorus/contracts";
import { lastRequestEvent, type JetStreamManager } from "@chorus/platform";
import { knownFacts, type KnownFact } from "./known-facts.ts";
import { evolve, initialState, runOf, type RequestState } from "./request/index.ts";

export type LoadOptions = {
  /** Also read whether each agent has started (needed to resend outstanding tasks). */
  includeStarted?: boolean;
  /** Read nothing: the state of the facts this loader already knows (see handleInput's fresh accepts). */
  knownOnly?: boolean;
  /**
   * Leave the request's end unread when it was accepted after this instant (ms since the
   * epoch): an end decided again is then still inside JetStream's duplicate window, and
   * its message id drops it (see handleInput).
   */
  endUnreadIfAcceptedAfter?: number;
  /**
   * Read the request's end before anything else, and stop there if it has one. For an input
   * that usually comes after the end (a deadline check comes due long after most requests
   * have ended, when this process may no longer hold their facts): one or two reads, where
   * a full load reads every subject and, with endUnreadIfAcceptedAfter, would not see the end.
   */
  endFirst?: boolean;
};

export type RequestLoader = {
  /** The request's state, folded from its stored events. */
  load(requestId: string, options?: LoadOptions): Promise<RequestState>;
  /**
   * An event known to be stored at `seq` (delivered from the stream, or newly stored by a
   * decision): a loader that keeps facts need not read its subject again.
   */
  remember(event: ChorusEvent, seq: number): void;
};

/** Requests whose stored facts a loader keeps by default: far more than are in flight at once. */
const DEFAULT_KNOWN_REQUESTS = 5_000;

/**
 * Loads state from the last message on each subject the decision depends on (accepted,
 * the ends, and each agent's dispatched/started/completed/failed), read through the
 * stream leader's message-get API so a read never misses a stored event (a direct get may
 * be served by a lagging replica). Every lookup is by subject, so a load costs the same
 * on a stream of a thousand events as on one of millions, where an ordered consumer's
 * creation grows with the stream. What it cannot see is a repeat on one subject (two
 * AgentCompleted for one agent, stored beyond the duplicate window): it folds the last of
 * them, where a fold of every event would take the first; both are the same agent's outcome.
 *
 * The request's end is read only once every agent has an outcome (or first, with
 * `endFirst`): it is recorded after them, never before. Subjects known to hold their fact (read before, or told through
 * `remember`) are not read again; up to `knownRequests` requests' facts are kept, least recently used dropped
 * first (0 keeps none). A request known to have ended loads as just its end: nothing more
 * is decided for it. AgentStarted is read only with `includeStarted` (it matters only to
 * resending outstanding tasks) and an agent with one outcome is not asked for the other:
 * one outcome per agent is stored (they share a message id).
 */
export function lastBySubjectLoader(jsm: JetStreamManager, t: Topology, options: { knownRequests?: number } = {}): RequestLoader {
  const facts = knownFacts(options.knownRequests ?? DEFAULT_KNOWN_REQUESTS);
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

  const load = async (requestId: string, options: LoadOptions = {}): Promise<RequestState> => {
    const known = facts.of(requestId);
    const end = known.get("completed") ?? known.get("failed");
    if (end) return foldSorted([end]);
    if (options.knownOnly) return foldSorted([...known.values()]);
    const ends = () => Promise.all(["completed", "failed"].map((suffix) => read(requestId, known, suffix)));
    if (options.endFirst) {
      // One after the other: most requests end `completed`, and then one read is enough.
      const ended = (await read(requestId, known, "completed")) ?? (await read(requestId, known, "failed"));
      if (ended) return foldSorted([ended]);
    }
    const accepted = await read(requestId, known, "accepted");
    // Nothing is decided for an unknown request: its agents need not be read (its end may, if its accept is gone; endFirst just did).
    if (!accepted) return options.endFirst ? initialState : foldSorted(await ends());
    const agents = accepted.event.type === "RequestAccepted" ? accepted.event.data.agents : [];
    // A version-2 parallel accept is its agents' dispatch: there is no AgentDispatched to read.
    const byAccept = accepted.event.type === "RequestAccepted" && dispatchedByAccept(accepted.event) !== null;
    const agentFacts = await Promise.all(
      agents.map(async (agent) => {
        const outcomes = [`agent.${agent}.completed`, `agent.${agent}.failed`];
        const knownOutcome = outcomes.map((suffix) => known.get(suffix)).find((f) => f !== undefined);
        return Promise.all([
          byAccept ? null : read(requestId, known, `agent.${agent}.dispatched`),
          options.includeStarted ? read(requestId, known, `agent.${agent}.started`) : null,
          ...(knownOutcome ? [knownOutcome] : outcomes.map((suffix) => read(requestId, known, suffix))),
        ]);
      }),
    );
    const stored = [accepted, ...agentFacts.flat()];
    const state = foldSorted(stored);
    // An end is recorded only once every agent's outcome is stored, so while one is missing
    // there is no end to read; once all are there, another replica may have recorded it.
    const allOutcomes = agents.every((agent) => runOf(state, agent).outcome !== null);
    const endUnread = options.endUnreadIfAcceptedAfter !== undefined && Date.parse(accepted.event.occurred_at) > options.endUnreadIfAcceptedAfter;
    return allOutcomes && !endUnread ? foldSorted([...stored, ...(await ends())]) : state;
  };
  return { load, remember: (event, seq) => facts.remember(event, seq) };
}
