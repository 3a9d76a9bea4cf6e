import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ChorusEvent } from "@chorus/contracts";
import { ENDPOINT_GROUPS, endpointGroup, observationsOf, webhookOutcome } from "./metric-observations.ts";

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

  it("times webhook attempts by outcome and endpoint group, and counts circuit changes by state and endpoint group", () => {
    const attempted = event("WebhookAttempted", { webhook_id: "w", attempt: 1, url: "https://x.test/h?a=1", status_code: 503, duration_ms: 1500, error: "HTTP 503", next_attempt_at: null });
    expect(observationsOf(attempted)[1]).toEqual({ kind: "sample", metric: "webhook_attempt_duration", labels: { outcome: "http_error", endpoint: endpointGroup("https://x.test") }, value: 1.5 });
    const opened = event("WebhookCircuitChanged", { webhook_id: "w", endpoint: "https://x.test", state: "open", failures: 5, next_probe_at: new Date().toISOString() });
    expect(observationsOf(opened)).toEqual([{ kind: "count", metric: "webhook_circuit_changes", labels: { state: "open", endpoint: endpointGroup("https://x.test/other/path") }, value: 1 }]);
  });

  it("groups endpoints by origin into a bounded set of labels", () => {
    const groups = new Set(Array.from({ length: 2_000 }, (_, i) => endpointGroup(`https://tenant-${i}.example.com/hook`)));
    expect(groups.size).toBeLessThanOrEqual(ENDPOINT_GROUPS);
    expect(groups.size).toBeGreaterThan(ENDPOINT_GROUPS / 2);
    expect(endpointGroup("https://a.test:8443/x")).toBe(endpointGroup("https://a.test:8443/y"));
    expect([...groups].every((g) => /^g\d{2}$/.test(g))).toBe(true);
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
