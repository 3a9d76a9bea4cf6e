// Where a request's time goes, from its own events' timestamps and the client's clock
// (same machine). Pure. Parallel mode only: the critical path is the agent that
// completed last, so the stages add up to the whole submit→response time.

/** The part of an event envelope the breakdown reads. */
export type TimedEvent = { type: string; occurred_at: string; data: { agent?: string; started_at?: string; dispatch?: { deadline_at: string } | null } };

export type ClientTiming = { submittedAt: number; respondedAt: number };

export const STAGES = ["accept", "dispatch", "pickup", "agent", "end", "respond"] as const;
export type Stage = (typeof STAGES)[number];
export type StageTimes = Record<Stage, number> & { total: number };

const at = (e: TimedEvent) => Date.parse(e.occurred_at);

/**
 * accept: submit → RequestAccepted; dispatch: → the last agent's AgentDispatched (0 when the accept is the dispatch); pickup:
 * → its run's start; agent: → its AgentCompleted; end: → RequestCompleted/Failed;
 * respond: → the client has the answer. Null when an event of the path is missing.
 */
export function stageTimes(events: readonly TimedEvent[], client: ClientTiming): StageTimes | null {
  const accepted = events.find((e) => e.type === "RequestAccepted");
  const ended = events.find((e) => e.type === "RequestCompleted" || e.type === "RequestFailed");
  const outcomes = events.filter((e) => e.type === "AgentCompleted" || e.type === "AgentFailed");
  if (!accepted || !ended || outcomes.length === 0) return null;
  const last = outcomes.reduce((a, b) => (at(b) >= at(a) ? b : a));
  const agent = last.data.agent;
  // A parallel accept of version 2 is its agents' dispatch (no AgentDispatched): dispatch is then 0.
  const dispatched = accepted.data.dispatch ? accepted : events.find((e) => e.type === "AgentDispatched" && e.data.agent === agent);
  const startedAt = runStart(events, last);
  if (!dispatched || startedAt === undefined) return null;
  return {
    accept: at(accepted) - client.submittedAt,
    dispatch: at(dispatched) - at(accepted),
    pickup: startedAt - at(dispatched),
    agent: at(last) - startedAt,
    end: at(ended) - at(last),
    respond: client.respondedAt - at(ended),
    total: client.respondedAt - client.submittedAt,
  };
}

/**
 * When the run that produced the outcome began: the outcome's `started_at` (a quick run
 * records no AgentStarted), else, for outcomes recorded before it existed, the latest
 * AgentStarted before the outcome (a redelivered task starts more than once).
 */
function runStart(events: readonly TimedEvent[], outcome: TimedEvent): number | undefined {
  if (outcome.data.started_at !== undefined) return Date.parse(outcome.data.started_at);
  const started = events
    .filter((e) => e.type === "AgentStarted" && e.data.agent === outcome.data.agent && at(e) <= at(outcome))
    .reduce<TimedEvent | undefined>((a, b) => (!a || at(b) >= at(a) ? b : a), undefined);
  return started ? at(started) : undefined;
}

/** Events grouped by request id, in the order given. */
export function byRequest<E extends TimedEvent & { request_id: string }>(events: readonly E[]): Map<string, E[]> {
  const groups = new Map<string, E[]>();
  for (const e of events) {
    const list = groups.get(e.request_id);
    if (list) list.push(e);
    else groups.set(e.request_id, [e]);
  }
  return groups;
}
