// One request as the orchestrator sees it: the fold of that request's events in stream
// order. Order-tolerant, because an agent's events can be stored before our own dispatch.
import { dispatchedByAccept, type AgentId, type AgentOutcomeEvent, type ChorusEvent, type EventOf, type RequestEndEvent } from "@chorus/contracts";

export type AgentRun = {
  /** As recorded by AgentDispatched, or by a version-2 parallel accept; null while neither is (yet) in the stream. */
  dispatched: EventOf<"AgentDispatched">["data"] | null;
  started: boolean;
  /** The first outcome in stream order; a later second outcome is ignored. */
  outcome: AgentOutcomeEvent | null;
};

export type RequestState = {
  accepted: EventOf<"RequestAccepted"> | null;
  runs: Partial<Record<AgentId, AgentRun>>;
  end: RequestEndEvent | null;
};

export const initialState: RequestState = { accepted: null, runs: {}, end: null };

const idleRun: AgentRun = { dispatched: null, started: false, outcome: null };

export function runOf(state: RequestState, agent: AgentId): AgentRun {
  return state.runs[agent] ?? idleRun;
}

/** Dispatched as far as anyone can tell: our event, or the agent's own, says so. */
export function wasDispatched(run: AgentRun): boolean {
  return run.dispatched !== null || run.started || run.outcome !== null;
}

function withRun(state: RequestState, agent: AgentId, change: (run: AgentRun) => AgentRun): RequestState {
  const before = runOf(state, agent);
  const after = change(before);
  return after === before ? state : { ...state, runs: { ...state.runs, [agent]: after } };
}

export function evolve(state: RequestState, event: ChorusEvent): RequestState {
  switch (event.type) {
    case "RequestAccepted": {
      if (state.accepted) return state;
      // A version-2 parallel accept is its agents' dispatch: each run is dispatched with it.
      const dispatch = dispatchedByAccept(event);
      const accepted: RequestState = { ...state, accepted: event };
      if (!dispatch) return accepted;
      return event.data.agents.reduce<RequestState>(
        (s, agent) => withRun(s, agent, (run) => (run.dispatched ? run : { ...run, dispatched: { agent, deadline_at: dispatch.deadline_at, context_from: [] } })),
        accepted,
      );
    }
    case "AgentDispatched":
      return withRun(state, event.data.agent, (run) => (run.dispatched ? run : { ...run, dispatched: event.data }));
    case "AgentStarted":
      return withRun(state, event.data.agent, (run) => (run.started ? run : { ...run, started: true }));
    case "AgentCompleted":
    case "AgentFailed":
      return withRun(state, event.data.agent, (run) => (run.outcome ? run : { ...run, outcome: event }));
    case "RequestCompleted":
    case "RequestFailed":
      return state.end ? state : { ...state, end: event };
    case "WebhookAttempted":
    case "WebhookDelivered":
    case "WebhookExhausted":
    case "WebhookCircuitChanged":
      return state;
    case "RequestErased":
      // Erased only once ended: nothing more is decided for it, as for any ended request.
      return state;
    default: {
      const unknown: never = event;
      throw new Error(`no fold for event ${JSON.stringify(unknown)}`);
    }
  }
}

export function fold(events: Iterable<ChorusEvent>, from: RequestState = initialState): RequestState {
  let state = from;
  for (const event of events) state = evolve(state, event);
  return state;
}
