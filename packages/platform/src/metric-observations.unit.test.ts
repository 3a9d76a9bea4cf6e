import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ChorusEvent } from "@chorus/contracts";
import { observationsOf, webhookOutcome } from "./metric-observations.ts";

function event(type: string, data: unknown): ChorusEvent {
  return ChorusEvent.parse({
    id: randomUUID(),
    type,
    version: 1,
    request_id: randomUUID(),
    tenant_id: "default",
    occurred_at: new Date().toISOString(),
    correlation_id: "c-1",
    data,
  });
}

const usage = { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 };

describe("metric observations of recorded events", () => {
  it("times a completed agent by agent and provider and counts its prompt and completion tokens", () => {
    const observed = observationsOf(
      event("AgentCompleted", { agent: "summarizer", provider: "openai", model: "m", output: { summary: "A short summary.", key_points: [] }, duration_ms: 1500, usage }),
    );
    expect(observed).toEqual([
      { kind: "sample", metric: "agent_duration", labels: { agent: "summarizer", provider: "openai", outcome: "completed" }, value: 1.5 },
      { kind: "count", metric: "llm_tokens", labels: { agent: "summarizer", provider: "openai", kind: "prompt" }, value: 120 },
      { kind: "count", metric: "llm_tokens", labels: { agent: "summarizer", provider: "openai", kind: "completion" }, value: 30 },
    ]);
  });

  it("counts a failed agent by its error code, with provider 'none' when it never reached one", () => {
    const observed = observationsOf(
      event("AgentFailed", { agent: "sentiment", provider: null, model: null, error: { code: "timeout", message: "no outcome" }, duration_ms: null, usage: null }),
    );
    expect(observed).toEqual([{ kind: "count", metric: "agent_failures", labels: { agent: "sentiment", provider: "none", code: "timeout" }, value: 1 }]);
  });

  it("counts webhook attempts by outcome and webhook ends as delivered or exhausted", () => {
    const attempt = (status_code: number | null) =>
      observationsOf(
        event("WebhookAttempted", { webhook_id: "w", attempt: 1, url: "https://x.test/h", status_code, duration_ms: 5, error: null, next_attempt_at: null }),
      )[0]?.labels.outcome;
    expect([attempt(204), attempt(500), attempt(null)]).toEqual(["success", "http_error", "no_response"]);
    expect(observationsOf(event("WebhookExhausted", { webhook_id: "w", attempts: 5, reason: "gave up" }))).toEqual([
      { kind: "count", metric: "webhook_deliveries", labels: { outcome: "exhausted" }, value: 1 },
    ]);
  });

  it("treats 2xx as webhook success and 3xx as an HTTP error", () => {
    expect(webhookOutcome(200)).toBe("success");
    expect(webhookOutcome(299)).toBe("success");
    expect(webhookOutcome(301)).toBe("http_error");
  });

  it("records nothing for the steps in between", () => {
    expect(observationsOf(event("AgentDispatched", { agent: "summarizer", deadline_at: new Date().toISOString(), context_from: [] }))).toEqual([]);
  });
});
