// Builders for the decider's unit tests: a request's events and inputs as plain data,
// and emmett's given / when / then over them, so each test reads as "given these events,
// when this input, then this decision". What the decider is expected to record is built
// by the same builders as what it is given.
import { expect } from "vitest";
import {
  AgentTask,
  ChorusEvent,
  CheckAgentDeadline as CheckAgentDeadlineSchema,
  type AgentId,
  type AgentOutcomeEvent,
  type AgentOutput,
  type AgentOutputs,
  type EndStatus,
  type EventOf,
  type OrchestrationMode,
  type RequestEndEvent,
} from "@chorus/contracts";
import { decide, type CheckAgentDeadline, type Decision, type DecisionContext, type DecisionInput, type SubmitRequest } from "./decide.ts";
import { agentResult } from "./results.ts";
import { fold, type RequestState } from "./state.ts";

export const REQUEST_ID = "3f2b8c1e-9a4d-4e6f-8b2a-5c7d9e0f1a2b";
export const T0 = new Date("2026-11-24T10:00:00.000Z");
export const TIMEOUT_MS = 60_000;

export const at = (ms: number) => new Date(T0.getTime() + ms);
export const iso = (ms: number) => at(ms).toISOString();

/** A decision context at T0 + ms, with ids that count up (valid UUIDs). */
export function ctxAt(ms = 0): DecisionContext {
  let n = 0;
  return { now: at(ms), newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`, agentTimeoutMs: TIMEOUT_MS };
}

/** An id drawn from ctxAt: a decision is compared by what it says, not by the order its ids were drawn in. */
const DRAWN_ID = /^00000000-0000-4000-8000-\d{12}$/;

export const OUTPUTS: AgentOutputs = {
  summarizer: { summary: "The council approved a budget.", key_points: ["budget approved"] },
  sentiment: { label: "positive", score: 0.6, confidence: 0.8 },
  entity_extractor: { entities: [{ text: "Apple", type: "ORGANIZATION", start: 0, end: 5 }] },
};

export const ALL_AGENTS: AgentId[] = ["summarizer", "sentiment", "entity_extractor"];

function meta(ms: number, id: number) {
  return {
    id: `11111111-1111-4111-8111-${String(id).padStart(12, "0")}`,
    version: 1 as const,
    request_id: REQUEST_ID,
    tenant_id: "default",
    occurred_at: iso(ms),
    correlation_id: "corr-1",
  };
}

let seq = 0;
const next = () => ++seq;

export function submit(mode: OrchestrationMode = "parallel", agents: AgentId[] = ALL_AGENTS): SubmitRequest {
  return {
    ...meta(0, next()),
    type: "SubmitRequest",
    data: {
      text: "Apple hired a new chief executive in London on Monday.",
      orchestration_mode: mode,
      agents,
      webhook: { url: "https://example.com/hook", secret: "v1.aaaa.bbbb.cccc" },
      idempotency_key: "key-1",
      fingerprint: "f".repeat(64),
    },
  };
}

export function accepted(mode: OrchestrationMode = "parallel", agents: AgentId[] = ALL_AGENTS, ms = 0): EventOf<"RequestAccepted"> {
  const s = submit(mode, agents);
  return { ...meta(ms, next()), type: "RequestAccepted", data: { ...s.data, agent_timeout_ms: TIMEOUT_MS } };
}

/**
 * A RequestAccepted as the gateway records it now (version 2): in parallel mode it is its
 * agents' dispatch, with their deadline; in sequential mode the orchestrator dispatches.
 */
export function acceptedV2(mode: OrchestrationMode = "parallel", agents: AgentId[] = ALL_AGENTS, ms = 0): EventOf<"RequestAccepted"> {
  const v1 = accepted(mode, agents, ms);
  return { ...v1, version: 2, data: { ...v1.data, dispatch: mode === "parallel" ? { deadline_at: iso(ms + TIMEOUT_MS) } : null } };
}

export function dispatched(agent: AgentId, ms = 0, context_from: AgentId[] = []): EventOf<"AgentDispatched"> {
  return { ...meta(ms, next()), type: "AgentDispatched", data: { agent, deadline_at: iso(ms + TIMEOUT_MS), context_from } };
}

export function started(agent: AgentId, ms = 0): EventOf<"AgentStarted"> {
  return { ...meta(ms, next()), type: "AgentStarted", data: { agent, provider: "local", model: "m", delivery: 1 } };
}

export function completed(agent: AgentId, ms = 0): EventOf<"AgentCompleted"> {
  return {
    ...meta(ms, next()),
    type: "AgentCompleted",
    data: { agent, provider: "local", model: "m", output: OUTPUTS[agent], duration_ms: 12, usage: null },
  };
}

export function failed(agent: AgentId, ms = 0, code = "provider_error"): EventOf<"AgentFailed"> {
  return {
    ...meta(ms, next()),
    type: "AgentFailed",
    data: { agent, provider: "local", model: "m", error: { code, message: "it broke" }, duration_ms: 5, usage: null },
  };
}

export function deadlineCheck(agent: AgentId, deadlineMs = TIMEOUT_MS): CheckAgentDeadline {
  return { ...meta(0, next()), type: "CheckAgentDeadline", data: { agents: [agent], deadline_at: iso(deadlineMs) } };
}

export function task(mode: OrchestrationMode, agent: AgentId, ms = 0, context: Partial<Record<AgentId, AgentOutput>> = {}): AgentTask {
  const text = submit().data.text;
  return { ...meta(ms, next()), type: "AgentTask", data: { agent, text, orchestration_mode: mode, context, deadline_at: iso(ms + TIMEOUT_MS) } };
}

/** The one check of the deadline that agents dispatched together at T0 + ms share. */
export function sharedDeadline(agents: AgentId[], ms = 0): CheckAgentDeadline {
  return { ...meta(ms, next()), type: "CheckAgentDeadline", data: { agents, deadline_at: iso(ms + TIMEOUT_MS) } };
}

/** The AgentFailed the orchestrator records for an agent silent past its deadline, at T0 + ms. */
export function timedOut(agent: AgentId, ms = TIMEOUT_MS): EventOf<"AgentFailed"> {
  return {
    ...meta(ms, next()),
    type: "AgentFailed",
    data: { agent, provider: null, model: null, error: { code: "timeout", message: `${agent} gave no outcome within ${TIMEOUT_MS} ms` }, duration_ms: null, usage: null },
  };
}

/**
 * The request's end at T0 + ms after these outcomes (in the order of its agents), with the
 * status the test expects; each agent's result is made as the decider makes it (agentResult,
 * unit-tested in results.unit.test.ts).
 */
export function ended(acc: EventOf<"RequestAccepted">, outcomes: AgentOutcomeEvent[], ms: number, status: EndStatus): RequestEndEvent {
  const data = {
    results: Object.fromEntries(outcomes.map((o) => [o.data.agent, agentResult(o)])),
    duration_ms: Date.parse(iso(ms)) - Date.parse(acc.occurred_at),
    webhook: acc.data.webhook,
    orchestration_mode: acc.data.orchestration_mode,
    agents: acc.data.agents,
    created_at: acc.occurred_at,
  };
  return status === "failed" ? { ...meta(ms, next()), type: "RequestFailed", data: { ...data, status } } : { ...meta(ms, next()), type: "RequestCompleted", data: { ...data, status } };
}

/** Agents dispatched together at T0 + ms, with the outputs of earlier agents as context: their dispatches, tasks and one deadline check. */
export function dispatches(mode: OrchestrationMode, agents: AgentId[], ms = 0, context: Partial<Record<AgentId, AgentOutput>> = {}): Decision {
  const contextFrom = Object.keys(context) as AgentId[];
  return {
    events: agents.map((agent) => dispatched(agent, ms, contextFrom)),
    tasks: agents.map((agent) => task(mode, agent, ms, context)),
    deadlines: [sharedDeadline(agents, ms)],
  };
}

/** The state the events fold to. */
export const stateOf = (...events: ChorusEvent[]): RequestState => fold(events);

/**
 * emmett's decider specification: `given(...events).when(input, ctxAt(ms)).then(...parts)`
 * compares the whole decision with the parts joined (events, tasks and checks in order),
 * each message valid under its contract and with an id the context drew.
 */
export function given(...events: ChorusEvent[]) {
  return {
    when(input: DecisionInput, ctx: DecisionContext = ctxAt()) {
      const decision = decide(fold(events), input, ctx);
      return {
        then(...parts: Partial<Decision>[]): Decision {
          const drawn = <T extends { id: string }>(m: T): T => ({ ...m, id: expect.stringMatching(DRAWN_ID) as string });
          expect(valid(decision)).toEqual({
            events: parts.flatMap((p) => p.events ?? []).map(drawn),
            tasks: parts.flatMap((p) => p.tasks ?? []).map(drawn),
            deadlines: parts.flatMap((p) => p.deadlines ?? []).map(drawn),
          });
          return decision;
        },
        thenNothing(): void {
          expect(decision).toEqual({ events: [], tasks: [], deadlines: [] });
        },
      };
    },
  };
}

/** Checks every message of a decision against its contract schema, then returns it. */
export function valid(decision: Decision): Decision {
  for (const e of decision.events) ChorusEvent.parse(e);
  for (const t of decision.tasks) AgentTask.parse(t);
  for (const d of decision.deadlines) CheckAgentDeadlineSchema.parse(d);
  return decision;
}
