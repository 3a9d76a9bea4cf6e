import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { RequestView, pendingResult, type ChorusEvent, type EnvelopeMeta } from "@chorus/contracts";
import { applyEvent, submittedView, viewFromEvents } from "./fold.ts";

const id = "0b9f5c1e-4a8a-4d0c-9b56-3f1f0f2a9e11";
const meta = (occurred_at: string): EnvelopeMeta & { id: string; version: 1 } => ({
  id: randomUUID(),
  version: 1,
  request_id: id,
  tenant_id: "default",
  correlation_id: "c",
  occurred_at,
});
const webhook = { url: "https://r.example/h", secret: "v1.aaaa.bbbb.cccc" };

const accepted: ChorusEvent = {
  ...meta("2026-11-24T10:00:00.000Z"),
  type: "RequestAccepted",
  data: { text: "some text here", orchestration_mode: "parallel", agents: ["summarizer", "sentiment"], webhook, idempotency_key: null, fingerprint: null, agent_timeout_ms: 1000 },
};
const started: ChorusEvent = { ...meta("2026-11-24T10:00:00.010Z"), type: "AgentStarted", data: { agent: "sentiment", provider: "local", model: "wink", delivery: 1 } };
const sentimentDone: ChorusEvent = {
  ...meta("2026-11-24T10:00:00.050Z"),
  type: "AgentCompleted",
  data: { agent: "sentiment", provider: "local", model: "wink", output: { label: "neutral", score: 0, confidence: 0.5 }, duration_ms: 40, usage: null },
};
const summarizerFailed: ChorusEvent = {
  ...meta("2026-11-24T10:00:00.060Z"),
  type: "AgentFailed",
  data: { agent: "summarizer", provider: "openai", model: "gpt-4o-mini", error: { code: "timeout", message: "too slow" }, duration_ms: null, usage: null },
};
const ended: ChorusEvent = {
  ...meta("2026-11-24T10:00:00.070Z"),
  type: "RequestCompleted",
  data: {
    status: "partial",
    results: {
      sentiment: { status: "completed", provider: "local", model: "wink", duration_ms: 40, usage: null, error: null, output: { label: "neutral", score: 0, confidence: 0.5 } },
      summarizer: { status: "failed", provider: "openai", model: "gpt-4o-mini", duration_ms: null, usage: null, error: { code: "timeout", message: "too slow" }, output: null },
    },
    duration_ms: 70,
    webhook,
    orchestration_mode: "parallel",
    agents: ["summarizer", "sentiment"],
    created_at: "2026-11-24T10:00:00.000Z",
  },
};

describe("viewFromEvents", () => {
  it("knows nothing before the request is accepted", () => {
    expect(viewFromEvents([started])).toBeUndefined();
  });

  it("shows an accepted request as pending, every agent pending, the webhook pending and no secret", () => {
    const view = RequestView.parse(viewFromEvents([accepted]));
    expect(view).toMatchObject({ status: "pending", created_at: "2026-11-24T10:00:00.000Z", completed_at: null });
    expect(view.results).toEqual({ summarizer: pendingResult(), sentiment: pendingResult() });
    expect(view.webhook).toEqual({ url: webhook.url, status: "pending", attempts: 0, last_status_code: null, delivered_at: null });
    expect(JSON.stringify(view)).not.toContain(webhook.secret);
  });

  it("follows agents through running, completed and failed while the request is processing", () => {
    const running = RequestView.parse(viewFromEvents([accepted, started]));
    expect(running.status).toBe("processing");
    expect(running.results.sentiment).toMatchObject({ status: "running", provider: "local", model: "wink" });
    const view = RequestView.parse(viewFromEvents([accepted, started, sentimentDone, summarizerFailed]));
    expect(view.status).toBe("processing");
    expect(view.results.sentiment).toMatchObject({ status: "completed", duration_ms: 40, output: { label: "neutral" } });
    expect(view.results.summarizer).toMatchObject({ status: "failed", error: { code: "timeout", message: "too slow" }, output: null });
  });

  it("gives a quick run that recorded no AgentStarted the same result as one whose start was recorded", () => {
    const dispatched: ChorusEvent = { ...meta("2026-11-24T10:00:00.005Z"), type: "AgentDispatched", data: { agent: "sentiment", deadline_at: "2026-11-24T10:00:01.000Z", context_from: [] } };
    const quickDone = { ...sentimentDone, data: { ...sentimentDone.data, started_at: started.occurred_at } } as ChorusEvent;
    const waiting = RequestView.parse(viewFromEvents([accepted, dispatched]));
    expect(waiting.status).toBe("processing");
    expect(waiting.results.sentiment).toEqual(pendingResult());
    const quick = RequestView.parse(viewFromEvents([accepted, dispatched, quickDone]));
    const recorded = RequestView.parse(viewFromEvents([accepted, dispatched, started, quickDone]));
    expect(quick).toEqual(recorded);
    expect(quick.results.sentiment).toMatchObject({ status: "completed", provider: "local", model: "wink", duration_ms: 40 });
  });

  it("takes the end event's status, results and times as final", () => {
    const view = RequestView.parse(viewFromEvents([accepted, started, ended, { ...started, data: { ...started.data, agent: "summarizer" } } as ChorusEvent]));
    expect(view.status).toBe("partial");
    expect(view.completed_at).toBe("2026-11-24T10:00:00.070Z");
    expect(view.results).toEqual(ended.type === "RequestCompleted" ? ended.data.results : {});
  });

  it("builds the whole view from the end event alone", () => {
    const view = RequestView.parse(viewFromEvents([ended]));
    expect(view).toMatchObject({ request_id: id, status: "partial", agents: ["summarizer", "sentiment"], created_at: "2026-11-24T10:00:00.000Z" });
  });

  it("follows the webhook as the read model does: a failed attempt with a retry due is pending, then delivery", () => {
    const attempt: ChorusEvent = {
      ...meta("2026-11-24T10:00:01.000Z"),
      type: "WebhookAttempted",
      data: { webhook_id: "w", attempt: 1, url: webhook.url, status_code: 500, duration_ms: 5, error: null, next_attempt_at: "2026-11-24T10:00:05.000Z" },
    };
    const delivered: ChorusEvent = { ...meta("2026-11-24T10:00:05.100Z"), type: "WebhookDelivered", data: { webhook_id: "w", attempt: 2, status_code: 204 } };
    expect(viewFromEvents([ended, attempt])?.webhook).toMatchObject({ status: "pending", attempts: 1, last_status_code: 500 });
    expect(RequestView.parse(viewFromEvents([ended, attempt, delivered])).webhook).toEqual({
      url: webhook.url,
      status: "delivered",
      attempts: 2,
      last_status_code: 204,
      delivered_at: "2026-11-24T10:00:05.100Z",
    });
    const exhausted: ChorusEvent = { ...meta("2026-11-24T10:09:00.000Z"), type: "WebhookExhausted", data: { webhook_id: "w", attempts: 5, reason: "gave up" } };
    expect(viewFromEvents([ended, attempt, exhausted])?.webhook).toMatchObject({ status: "exhausted", attempts: 5 });
    const gone: ChorusEvent = { ...exhausted, data: { webhook_id: "w", attempts: 1, reason: "410 Gone", cause: "gone" } };
    expect(viewFromEvents([ended, attempt, gone])?.webhook).toMatchObject({ status: "failed" });
  });

  it("ignores events of another request", () => {
    const other = { ...sentimentDone, request_id: randomUUID() } as ChorusEvent;
    expect(viewFromEvents([accepted, other])).toEqual(viewFromEvents([accepted]));
  });

  it("starts from what was known at submission", () => {
    const initial = submittedView(id, { text: "some text here", orchestration_mode: "sequential", agents: ["sentiment"], webhook: null }, "2026-11-24T09:59:59.990Z");
    expect(RequestView.parse(initial)).toMatchObject({ status: "pending", results: { sentiment: pendingResult() }, webhook: null });
    expect(viewFromEvents([], initial)).toBe(initial);
    expect(applyEvent(initial, started)?.results.sentiment?.status).toBe("running");
  });
});
