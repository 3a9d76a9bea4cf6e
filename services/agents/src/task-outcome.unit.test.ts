// Unit tests of the agent's pure decisions: deadline, started event, and what a
// provider's answer or error becomes.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AgentCompleted, AgentFailed, AgentStarted, AgentTask, type AgentOutcomeEvent } from "@chorus/contracts";
import { ProviderError } from "./providers/provider.ts";
import { decideOutcome, isPastDeadline, readProviderError, retryDelayMs, startedEvent, type OutcomeInput, type ProviderAttempt } from "./task-outcome.ts";

const NOW = Date.parse("2026-11-24T10:00:00.000Z");

function task(overrides: Partial<AgentTask["data"]> = {}): AgentTask {
  return AgentTask.parse({
    id: randomUUID(),
    type: "AgentTask",
    version: 1,
    request_id: randomUUID(),
    tenant_id: "acme",
    occurred_at: new Date(NOW).toISOString(),
    correlation_id: "corr-42",
    data: {
      agent: "sentiment",
      text: "I love this product, it is wonderful.",
      orchestration_mode: "parallel",
      context: {},
      deadline_at: new Date(NOW + 30_000).toISOString(),
      ...overrides,
    },
  });
}

function input(attempt: ProviderAttempt, overrides: Partial<OutcomeInput> = {}): OutcomeInput {
  return {
    task: task(),
    provider: { name: "test", model: "test-model" },
    attempt,
    startedAt: new Date(NOW + 5).toISOString(),
    durationMs: 12.4,
    delivery: { count: 1, max: 5 },
    retry: { baseMs: 1_000, maxMs: 30_000 },
    random: 0.5,
    envelope: { id: randomUUID(), occurredAt: new Date(NOW + 20).toISOString() },
    ...overrides,
  };
}

const answered = (output: unknown): ProviderAttempt => ({
  kind: "answered",
  result: { output, usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 }, model: "test-model-2" },
});

function recorded(i: OutcomeInput): AgentOutcomeEvent {
  const outcome = decideOutcome(i);
  if (outcome.kind !== "record") throw new Error(`expected an event, got ${JSON.stringify(outcome)}`);
  return outcome.event;
}

describe("isPastDeadline", () => {
  it("is false up to and at the deadline and true after it", () => {
    const t = task({ deadline_at: new Date(NOW).toISOString() });
    expect(isPastDeadline(t, NOW - 1)).toBe(false);
    expect(isPastDeadline(t, NOW)).toBe(false);
    expect(isPastDeadline(t, NOW + 1)).toBe(true);
  });

  it("reads deadlines written with an offset", () => {
    const t = task({ deadline_at: "2026-11-24T11:00:00.000+01:00" });
    expect(isPastDeadline(t, NOW + 1)).toBe(true);
    expect(isPastDeadline(t, NOW - 1)).toBe(false);
  });
});

describe("startedEvent", () => {
  it("copies the task's request, tenant and correlation ids into a valid AgentStarted", () => {
    const t = task();
    const id = randomUUID();
    const e = startedEvent(t, { provider: "local", model: "wink-sentiment", delivery: 2 }, { id, occurredAt: new Date(NOW).toISOString() });
    expect(AgentStarted.parse(e)).toEqual(e);
    expect(e).toMatchObject({
      id,
      request_id: t.request_id,
      tenant_id: "acme",
      correlation_id: "corr-42",
      data: { agent: "sentiment", provider: "local", model: "wink-sentiment", delivery: 2 },
    });
    expect(e.id).not.toBe(t.id);
  });
});

describe("decideOutcome", () => {
  it("records a valid output as AgentCompleted with the answering model, usage and whole milliseconds", () => {
    const i = input(answered({ label: "positive", score: 0.7, confidence: 0.9 }));
    const e = recorded(i);
    expect(AgentCompleted.parse(e)).toEqual(e);
    expect(e).toMatchObject({
      type: "AgentCompleted",
      id: i.envelope.id,
      occurred_at: i.envelope.occurredAt,
      request_id: i.task.request_id,
      tenant_id: "acme",
      correlation_id: "corr-42",
      data: {
        agent: "sentiment",
        provider: "test",
        model: "test-model-2",
        output: { label: "positive", score: 0.7, confidence: 0.9 },
        duration_ms: 12,
        usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
        started_at: i.startedAt,
      },
    });
  });

  it("records when the run began on every outcome, completed or failed, so a run without an AgentStarted keeps its start", () => {
    const startedAt = "2026-11-24T10:00:00.007Z";
    const outcomes = [
      recorded(input(answered({ label: "positive", score: 0.7, confidence: 0.9 }), { startedAt })),
      recorded(input(answered({ label: "ecstatic" }), { startedAt })),
      recorded(input({ kind: "threw", error: new ProviderError("no", { code: "refused", retryable: false }) }, { startedAt })),
      recorded(input({ kind: "timed_out" }, { startedAt })),
    ];
    expect(outcomes.map((e) => [e.type, e.data.started_at])).toEqual([
      ["AgentCompleted", startedAt],
      ["AgentFailed", startedAt],
      ["AgentFailed", startedAt],
      ["AgentFailed", startedAt],
    ]);
    for (const e of outcomes) expect((e.type === "AgentCompleted" ? AgentCompleted : AgentFailed).parse(e)).toEqual(e);
  });

  it("records an output that does not match the agent's schema as AgentFailed invalid_output with zod's reason", () => {
    const e = recorded(input(answered({ label: "ecstatic", score: 3, confidence: 0.5 })));
    expect(AgentFailed.parse(e)).toEqual(e);
    expect(e).toMatchObject({
      type: "AgentFailed",
      data: {
        agent: "sentiment",
        error: { code: "invalid_output", message: expect.stringMatching(/label[\s\S]*score|score[\s\S]*label/) },
        // The tokens were spent even though the answer was unusable.
        usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
        model: "test-model-2",
      },
    });
  });

  it("checks the output against the task's own agent: a summary is not a sentiment", () => {
    const e = recorded(input(answered({ summary: "s", key_points: [] })));
    expect(e).toMatchObject({ type: "AgentFailed", data: { agent: "sentiment", error: { code: "invalid_output" } } });
  });

  it("replaces characters no store accepts in a model's answer and error text, keeping offsets", () => {
    const entities = recorded(input(answered({ entities: [{ text: "Ap\u0000le", type: "ORGANIZATION", start: 0, end: 5 }] }), { task: task({ agent: "entity_extractor", text: "Apple is big." }) }));
    expect(entities.type).toBe("AgentCompleted");
    if (entities.type === "AgentCompleted") expect(entities.data.output).toEqual({ entities: [{ text: "Ap\ufffdle", type: "ORGANIZATION", start: 0, end: 5 }] });
    const summary = recorded(input(answered({ summary: "Lone \ud800 surrogate", key_points: ["k\u0000"] }), { task: task({ agent: "summarizer" }) }));
    expect(summary.type === "AgentCompleted" && summary.data.output).toEqual({ summary: "Lone \ufffd surrogate", key_points: ["k\ufffd"] });
    const failed = recorded(input({ kind: "threw", error: new ProviderError("bad \u0000 answer \udfff", { code: "refused", retryable: false }) }));
    expect(failed.type === "AgentFailed" && failed.data.error.message).toBe("bad \ufffd answer \ufffd");
  });

  it("records a non-retryable ProviderError as AgentFailed with its code and message", () => {
    const e = recorded(input({ kind: "threw", error: new ProviderError("content was refused", { code: "refused", retryable: false }) }));
    expect(AgentFailed.parse(e)).toEqual(e);
    expect(e.data).toMatchObject({ agent: "sentiment", provider: "test", model: "test-model", error: { code: "refused", message: "content was refused" }, usage: null });
  });

  it("asks for a redelivery after a retryable ProviderError before the last delivery", () => {
    const outcome = decideOutcome(input({ kind: "threw", error: new ProviderError("429", { code: "rate_limited", retryable: true }) }, { delivery: { count: 2, max: 5 } }));
    expect(outcome).toEqual({ kind: "retry", retryInMs: 1_500, error: { code: "rate_limited", message: "429" } });
  });

  it("records AgentFailed with the reason when a retryable error happens on the last delivery", () => {
    const e = recorded(input({ kind: "threw", error: new ProviderError("server overloaded", { code: "unavailable", retryable: true }) }, { delivery: { count: 5, max: 5 } }));
    expect(e.data).toMatchObject({ error: { code: "unavailable", message: "server overloaded (gave up after 5 deliveries)" } });
  });

  it("marks only a task that failed on every delivery for the dead-letter subject, with its reason", () => {
    const error = new ProviderError("server overloaded", { code: "unavailable", retryable: true });
    const last = decideOutcome(input({ kind: "threw", error }, { delivery: { count: 5, max: 5 } }));
    expect(last).toMatchObject({ kind: "record", deadLetter: "unavailable: server overloaded (gave up after 5 deliveries)" });
    const refused = decideOutcome(input({ kind: "threw", error: new ProviderError("no", { code: "refused", retryable: false }) }));
    expect(refused).not.toHaveProperty("deadLetter");
  });

  it("records the tokens and model a failed call reports, such as two invalid answers", () => {
    const usage = { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 };
    const error = new ProviderError("invalid twice", { code: "invalid_output", retryable: false, usage, model: "gpt-x" });
    const e = recorded(input({ kind: "threw", error }));
    expect(e.data).toMatchObject({ error: { code: "invalid_output" }, usage, model: "gpt-x" });
  });

  it("records a deadline that passed first as AgentFailed timeout", () => {
    const e = recorded(input({ kind: "timed_out" }));
    expect(AgentFailed.parse(e)).toEqual(e);
    expect(e.data).toMatchObject({ error: { code: "timeout" }, model: "test-model", duration_ms: 12 });
  });

  it("records any other thrown error as a final provider_error", () => {
    const e = recorded(input({ kind: "threw", error: new TypeError("x is undefined") }));
    expect(e.data).toMatchObject({ error: { code: "provider_error", message: "TypeError: x is undefined" } });
  });
});

describe("retryDelayMs", () => {
  const policy = { baseMs: 100, maxMs: 1_000 };

  it("doubles with each delivery and stays between half and all of the backoff", () => {
    expect(retryDelayMs(1, policy, 0)).toBe(50);
    expect(retryDelayMs(1, policy, 0.999)).toBe(100);
    expect(retryDelayMs(2, policy, 0)).toBe(100);
    expect(retryDelayMs(3, policy, 0)).toBe(200);
  });

  it("never exceeds the cap", () => {
    expect(retryDelayMs(30, policy, 0.999)).toBeLessThanOrEqual(1_000);
    expect(retryDelayMs(30, policy, 0)).toBe(500);
  });

  it("follows the provider's own hint, capped", () => {
    expect(retryDelayMs(1, policy, 0.5, 700)).toBe(700);
    expect(retryDelayMs(1, policy, 0.5, 60_000)).toBe(1_000);
  });

  it("uses the hint a ProviderError carries", () => {
    const error = new ProviderError("slow down", { code: "rate_limited", retryable: true, retryAfterMs: 4_000 });
    expect(readProviderError(error).retryAfterMs).toBe(4_000);
    const outcome = decideOutcome(input({ kind: "threw", error }));
    expect(outcome).toMatchObject({ kind: "retry", retryInMs: 4_000 });
  });
});
