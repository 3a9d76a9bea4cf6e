// The orchestrator's decisions for one request, as plain data: given the request's state
// and one input, which events to record, which agent tasks to send and which deadlines
// to schedule. Time and ids come in as arguments, so the same inputs decide the same.
import { acceptSubmission, deadlineAgents, dispatchedByAccept, type AgentId, type AgentOutcomeEvent, type AgentOutput, type AgentResults, type AgentTask, type ChorusEvent, type CommandOf, type EventOf } from "@chorus/contracts";
import { agentResult, endStatus } from "./results.ts";
import { evolve, fold, runOf, wasDispatched, type RequestState } from "./state.ts";

export type SubmitRequest = CommandOf<"SubmitRequest">;
export type CheckAgentDeadline = CommandOf<"CheckAgentDeadline">;

/**
 * RequestAccepted is how a request starts (the gateway records it); SubmitRequest is the
 * command an earlier gateway sent for the orchestrator to accept, still handled.
 */
export type DecisionInput = EventOf<"RequestAccepted"> | SubmitRequest | AgentOutcomeEvent | CheckAgentDeadline;

export type DecisionContext = {
  now: Date;
  newId: () => string;
  agentTimeoutMs: number;
};

export type Decision = {
  events: ChorusEvent[];
  tasks: AgentTask[];
  deadlines: CheckAgentDeadline[];
};

/** The empty decision; a fresh one each time, so no caller can change another's. */
const nothing = (): Decision => ({ events: [], tasks: [], deadlines: [] });

export function isNothing(decision: Decision): boolean {
  return decision.events.length === 0 && decision.tasks.length === 0 && decision.deadlines.length === 0;
}

export function decide(state: RequestState, input: DecisionInput, ctx: DecisionContext): Decision {
  switch (input.type) {
    case "RequestAccepted":
      // evolve keeps the first accept, so a repeat starts nothing twice: what is due is dispatched.
      return start(evolve(state, input), ctx);
    case "SubmitRequest": {
      // A retried submit re-runs only what is still due (after a crash between publishes).
      if (state.accepted) return start(state, ctx);
      const accepted = acceptSubmission(input, { id: ctx.newId(), occurredAt: ctx.now.toISOString(), agentTimeoutMs: ctx.agentTimeoutMs });
      return join({ ...nothing(), events: [accepted] }, start(evolve(state, accepted), ctx));
    }
    case "AgentCompleted":
    case "AgentFailed":
      // evolve keeps the first outcome, so a second one for the same agent changes nothing.
      return advance(evolve(state, input), ctx);
    case "CheckAgentDeadline": {
      const { accepted } = state;
      if (!accepted || state.end) return nothing();
      const silent = deadlineAgents(input).filter((agent) => runOf(state, agent).outcome === null);
      if (silent.length === 0) return advance(state, ctx);
      if (ctx.now.getTime() < Date.parse(input.data.deadline_at)) return nothing();
      const timedOut = silent.map((agent) => timeout(accepted, agent, ctx));
      return join({ ...nothing(), events: timedOut }, advance(fold(timedOut, state), ctx));
    }
    default: {
      const unknown: never = input;
      throw new Error(`no decision for input ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * What follows from an accept: what is due (see advance), and, when the accept is itself
 * its agents' dispatch (version 2, parallel), the deadline check of those still without
 * an outcome, which nobody else schedules. A repeat schedules it again: dropped by its
 * message id while the same agents wait, checked twice (which changes nothing) otherwise.
 */
function start(state: RequestState, ctx: DecisionContext): Decision {
  const deadlines = state.accepted && dispatchedByAccept(state.accepted) ? outstandingDeadlines(state, ctx) : [];
  return join({ ...nothing(), deadlines }, advance(state, ctx));
}

/** What follows from the state alone: the dispatches that are due, or the end. */
function advance(state: RequestState, ctx: DecisionContext): Decision {
  const { accepted } = state;
  if (!accepted || state.end) return nothing();
  const agents = accepted.data.agents;
  const outcomes = agents.map((agent) => runOf(state, agent).outcome);
  if (outcomes.every((o) => o !== null)) return { ...nothing(), events: [end(accepted, outcomes as AgentOutcomeEvent[], ctx)] };

  if (accepted.data.orchestration_mode === "parallel") {
    return join(...agents.filter((agent) => !wasDispatched(runOf(state, agent))).map((agent) => dispatch(accepted, agent, {}, ctx)));
  }
  // Sequential: the first agent without an outcome runs next, once, with what came before.
  const next = agents.findIndex((agent) => runOf(state, agent).outcome === null);
  const agent = agents[next];
  if (agent === undefined || wasDispatched(runOf(state, agent))) return nothing();
  const context: Partial<Record<AgentId, AgentOutput>> = {};
  for (const earlier of agents.slice(0, next)) {
    const outcome = runOf(state, earlier).outcome;
    if (outcome?.type === "AgentCompleted") context[earlier] = outcome.data.output;
  }
  return dispatch(accepted, agent, context, ctx);
}

/**
 * Tasks of agents recorded as dispatched that show no sign of running (no start, no
 * outcome). Resent when an input is redelivered: the earlier handling may have died
 * between recording AgentDispatched and publishing the task. Each task carries the same
 * message id as the original, so one that did go out is dropped as a duplicate.
 *
 * A run records its AgentStarted only once it has gone on a while (the agents'
 * AGENT_STARTED_AFTER_MS, at most a minute), so a quick run in progress shows no start and
 * its task is resent too. That resend carries the same Nats-Msg-Id, so it is dropped as
 * a duplicate inside JetStream's duplicate window (NATS_DUPLICATE_WINDOW_MS, 10 minutes
 * by default). A task that waited in the queue longer than the window (agents down, a
 * backlog) and is resent in its first moments of running may run twice; its outcome
 * shares a message id, and the decider keeps the first outcome, so the request still ends once.
 */
export function outstandingTasks(state: RequestState, ctx: Pick<DecisionContext, "now" | "newId">): AgentTask[] {
  const { accepted } = state;
  // An accept that dispatches its agents is their task too: each agent's own durable redelivers it.
  if (!accepted || state.end || dispatchedByAccept(accepted)) return [];
  return accepted.data.agents.flatMap((agent) => {
    const run = runOf(state, agent);
    if (!run.dispatched || run.started || run.outcome) return [];
    const context: Partial<Record<AgentId, AgentOutput>> = {};
    for (const earlier of run.dispatched.context_from) {
      const outcome = runOf(state, earlier).outcome;
      if (outcome?.type === "AgentCompleted") context[earlier] = outcome.data.output;
    }
    return [taskFor(accepted, agent, context, run.dispatched.deadline_at, ctx)];
  });
}

/**
 * Deadline checks for the agents recorded as dispatched that have no outcome, one per
 * deadline, as their dispatch scheduled them. Resent with the outstanding tasks: the
 * earlier handling may have died (or lost NATS) after recording AgentDispatched but
 * before its check was stored, and without the check a silent agent would hold the
 * request open for good. A check stored already is dropped as a duplicate, or is checked
 * twice, which changes nothing.
 */
export function outstandingDeadlines(state: RequestState, ctx: Pick<DecisionContext, "now" | "newId">): CheckAgentDeadline[] {
  const { accepted } = state;
  if (!accepted || state.end) return [];
  const checks = accepted.data.agents.flatMap((agent): CheckAgentDeadline[] => {
    const run = runOf(state, agent);
    if (!run.dispatched || run.outcome) return [];
    return [{ ...meta(accepted, ctx), type: "CheckAgentDeadline", data: { agents: [agent], deadline_at: run.dispatched.deadline_at } }];
  });
  return sameDeadlineOnce(checks);
}

type Accepted = EventOf<"RequestAccepted">;

function taskFor(
  accepted: Accepted,
  agent: AgentId,
  context: Partial<Record<AgentId, AgentOutput>>,
  deadline_at: string,
  ctx: Pick<DecisionContext, "now" | "newId">,
): AgentTask {
  return {
    ...meta(accepted, ctx),
    type: "AgentTask",
    data: { agent, text: accepted.data.text, orchestration_mode: accepted.data.orchestration_mode, context, deadline_at },
  };
}

function meta(of: Pick<Accepted, "request_id" | "tenant_id" | "correlation_id">, ctx: Pick<DecisionContext, "now" | "newId">) {
  return {
    id: ctx.newId(),
    version: 1 as const,
    request_id: of.request_id,
    tenant_id: of.tenant_id,
    occurred_at: ctx.now.toISOString(),
    correlation_id: of.correlation_id,
  };
}

function dispatch(accepted: Accepted, agent: AgentId, context: Partial<Record<AgentId, AgentOutput>>, ctx: DecisionContext): Decision {
  const deadline_at = new Date(ctx.now.getTime() + accepted.data.agent_timeout_ms).toISOString();
  return {
    events: [{ ...meta(accepted, ctx), type: "AgentDispatched", data: { agent, deadline_at, context_from: Object.keys(context) as AgentId[] } }],
    tasks: [taskFor(accepted, agent, context, deadline_at, ctx)],
    deadlines: [{ ...meta(accepted, ctx), type: "CheckAgentDeadline", data: { agents: [agent], deadline_at } }],
  };
}

function timeout(accepted: Accepted, agent: AgentId, ctx: DecisionContext): EventOf<"AgentFailed"> {
  return {
    ...meta(accepted, ctx),
    type: "AgentFailed",
    data: {
      agent,
      provider: null,
      model: null,
      error: { code: "timeout", message: `${agent} gave no outcome within ${accepted.data.agent_timeout_ms} ms` },
      duration_ms: null,
      usage: null,
    },
  };
}

function end(accepted: Accepted, outcomes: AgentOutcomeEvent[], ctx: DecisionContext): ChorusEvent {
  const results: AgentResults = {};
  for (const outcome of outcomes) results[outcome.data.agent] = agentResult(outcome);
  const common = {
    results,
    duration_ms: Math.max(0, Math.round(ctx.now.getTime() - Date.parse(accepted.occurred_at))),
    webhook: accepted.data.webhook,
    orchestration_mode: accepted.data.orchestration_mode,
    agents: accepted.data.agents,
    created_at: accepted.occurred_at,
  };
  const status = endStatus(outcomes);
  return status === "failed"
    ? { ...meta(accepted, ctx), type: "RequestFailed", data: { ...common, status } }
    : { ...meta(accepted, ctx), type: "RequestCompleted", data: { ...common, status } };
}

function join(...decisions: Decision[]): Decision {
  return {
    events: decisions.flatMap((d) => d.events),
    tasks: decisions.flatMap((d) => d.tasks),
    deadlines: sameDeadlineOnce(decisions.flatMap((d) => d.deadlines)),
  };
}

/**
 * Agents dispatched together share their deadline: one check covers them all (a parallel
 * request schedules one, not one per agent), which saves a stored command and its
 * deliveries per agent.
 */
function sameDeadlineOnce(checks: CheckAgentDeadline[]): CheckAgentDeadline[] {
  const byDeadline = new Map<string, CheckAgentDeadline>();
  for (const check of checks) {
    const earlier = byDeadline.get(check.data.deadline_at);
    const agents = [...(earlier ? deadlineAgents(earlier) : []), ...deadlineAgents(check)];
    byDeadline.set(check.data.deadline_at, { ...(earlier ?? check), data: { agents, deadline_at: check.data.deadline_at } });
  }
  return [...byDeadline.values()];
}
