// What this process already knows to be in the event stream, per request: the facts that
// never change once stored (the accept, each agent's dispatch, start and outcome, the end).
// A state load then reads only the subjects still empty here, instead of all of them —
// absent facts are always read again, so a load sees everything that was stored, whichever
// replica stored it. Bounded, least recently used request first. Of an ended request only
// the end is kept: it settles the deadline checks that come due after it with no read.
import { eventSubjectSuffix, type ChorusEvent } from "@chorus/contracts";

export type KnownFact = { seq: number; event: ChorusEvent };

export type KnownFacts = {
  /** The facts known for a request, by subject suffix (see eventSubjectSuffix). */
  of(requestId: string): ReadonlyMap<string, KnownFact>;
  /** Records an event read from, or acknowledged as newly stored by, the stream at `seq`. */
  remember(event: ChorusEvent, seq: number): void;
  /** Requests held now. */
  size(): number;
};

const NONE: ReadonlyMap<string, KnownFact> = new Map();

function isEnd(event: ChorusEvent): boolean {
  return event.type === "RequestCompleted" || event.type === "RequestFailed";
}

export function knownFacts(maxRequests = 5_000): KnownFacts {
  // A Map iterates in insertion order: re-inserting on use makes the first key the least recently used.
  const requests = new Map<string, Map<string, KnownFact>>();
  return {
    of: (requestId) => requests.get(requestId) ?? NONE,
    remember(event, seq) {
      if (event.type.startsWith("Webhook")) return;
      const ends = isEnd(event);
      const before = requests.get(event.request_id);
      if (before && [...before.values()].some((f) => isEnd(f.event))) return;
      // Nothing more is decided for an ended request, so its other facts (and its text) can go.
      const facts = before && !ends ? before : new Map<string, KnownFact>();
      requests.delete(event.request_id);
      requests.set(event.request_id, facts);
      const subject = eventSubjectSuffix(event);
      // The first one seen stays: a later copy on the same subject is the same fact.
      if (!facts.has(subject)) facts.set(subject, { seq, event });
      while (requests.size > maxRequests) {
        const oldest = requests.keys().next().value;
        if (oldest === undefined) break;
        requests.delete(oldest);
      }
    },
    size: () => requests.size,
  };
}
