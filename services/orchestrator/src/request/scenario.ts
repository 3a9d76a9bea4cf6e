// Builders for the decider's unit tests: a request's events and inputs as plain data,
// so each test reads as "given these events, when this input, then this decision".
import {
  AgentTask,
  ChorusEvent,
  CheckAgentDeadline as CheckAgentDeadlineSchema,
  type AgentId,
  type AgentOutputs,
  type EventOf,
  type OrchestrationMode,
} from "@chorus/contracts";
import type { CheckAgentDeadline, Decision, DecisionContext, SubmitRequest } from "./decide.ts";
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

export const OUTPUTS: AgentOutputs = {
  summarizer: { summary: "The council approved a budget.", key_points: ["budget approved"] },
  sentiment: { label: "positive", score: 0.6, confidence: 0.8 },
  entity_extractor: { entities: [{ text: "Apple", type: "ORGANIZATION", start: 0, end: 5 }] },
};

const ALL: AgentId[] = ["summarizer", "sentiment", "entity_extractor"];

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

export function submit(mode: OrchestrationMode = "parallel", agents: AgentId[] = ALL): SubmitRequest {
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

export function accepted(mode: OrchestrationMode = "parallel", agents: AgentId[] = ALL, ms = 0): EventOf<"RequestAccepted"> {
  const s = submit(mode, agents);
  return { ...meta(ms, next()), type: "RequestAccepted", data: { ...s.data, agent_timeout_ms: TIMEOUT_MS } };
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

export const given = (...events: ChorusEvent[]): RequestState => fold(events);

/** Checks every message of a decision against its contract schema, then returns it. */
export function valid(decision: Decision): Decision {
  for (const e of decision.events) ChorusEvent.parse(e);
  for (const t of decision.tasks) AgentTask.parse(t);
  for (const d of decision.deadlines) CheckAgentDeadlineSchema.parse(d);
  return decision;
}

export const types = (decision: Decision) => decision.events.map((e) => e.type);
