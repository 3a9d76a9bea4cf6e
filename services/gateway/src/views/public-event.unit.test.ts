import { describe, expect, it } from "vitest";
import { EVENT_SCHEMAS, type ChorusEvent, type ChorusEventType, type EventOf } from "@chorus/contracts";
import { KEY_ID_FIELDS, PUBLIC_DATA_FIELDS, WITHHELD_DATA_FIELDS, publicEvent, withoutUserinfo, withoutUserinfoInText } from "./public-event.ts";

const SEALED = "v1.aaaa.bbbb.cccc";
const meta = {
  id: "5d0c3c8e-9a43-4c8e-a1a5-8e3f0c7d1b2a",
  version: 1,
  request_id: "0b9f5c1e-4a8a-4d0c-9b56-3f1f0f2a9e11",
  tenant_id: "acme",
  occurred_at: "2026-11-24T10:00:00.000Z",
  correlation_id: "c-1",
} as const;
const envelopeOf = (e: ChorusEvent) => ({ id: e.id, type: e.type, version: e.version, request_id: e.request_id, tenant_id: e.tenant_id, occurred_at: e.occurred_at, correlation_id: e.correlation_id });

const accepted: EventOf<"RequestAccepted"> = {
  ...meta,
  type: "RequestAccepted",
  data: {
    text: "Apple reported record earnings in Cupertino.",
    orchestration_mode: "sequential",
    agents: ["summarizer", "sentiment"],
    webhook: { url: "https://alice:s3cret@receiver.example:8443/hook?x=1", secret: SEALED },
    idempotency_key: "order-42",
    fingerprint: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    agent_timeout_ms: 30_000,
  },
};

const completed: EventOf<"RequestCompleted"> = {
  ...meta,
  type: "RequestCompleted",
  data: {
    status: "completed",
    results: { sentiment: { status: "completed", provider: "local", model: "wink", duration_ms: 3, usage: null, error: null, output: { label: "neutral", score: 0, confidence: 0.5 } } },
    duration_ms: 9,
    webhook: { url: "https://receiver.example/hook", secret: SEALED },
    orchestration_mode: "parallel",
    agents: ["sentiment"],
    created_at: "2026-11-24T10:00:00.000Z",
  },
};

describe("the public view of an event", () => {
  it("shows RequestAccepted without the sealed secret, the fingerprint, the idempotency key or the URL's userinfo", () => {
    const shown = publicEvent(accepted);
    expect(shown).toEqual({
      ...envelopeOf(accepted),
      data: { text: accepted.data.text, orchestration_mode: "sequential", agents: ["summarizer", "sentiment"], webhook: { url: "https://receiver.example:8443/hook?x=1" }, agent_timeout_ms: 30_000 },
    });
    const json = JSON.stringify(shown);
    for (const hidden of [SEALED, "secret", "s3cret", "alice", "fingerprint", accepted.data.fingerprint!, "idempotency_key", "order-42"]) expect(json).not.toContain(hidden);
  });

  it("shows a request without a webhook with webhook null", () => {
    const shown = publicEvent({ ...accepted, data: { ...accepted.data, webhook: null, idempotency_key: null, fingerprint: null } });
    expect(shown.data).toEqual({ text: accepted.data.text, orchestration_mode: "sequential", agents: ["summarizer", "sentiment"], webhook: null, agent_timeout_ms: 30_000 });
  });

  it("shows the end event's webhook as its URL only, and its results as recorded", () => {
    const shown = publicEvent(completed);
    expect(shown).toEqual({ ...envelopeOf(completed), data: { ...completed.data, webhook: { url: "https://receiver.example/hook" } } });
    expect(JSON.stringify(shown)).not.toContain(SEALED);
    const failed = publicEvent({ ...completed, type: "RequestFailed", data: { ...completed.data, status: "failed", webhook: { url: "http://u:p@r.example/h", secret: SEALED } } });
    expect(failed.data.webhook).toEqual({ url: "http://r.example/h" });
  });

  it("shows agent events exactly as recorded", () => {
    const failed: ChorusEvent = {
      ...meta,
      type: "AgentFailed",
      data: { agent: "summarizer", provider: "openai", model: "gpt-4o-mini", error: { code: "timeout", message: "no answer" }, duration_ms: null, usage: null },
    };
    const dispatched: ChorusEvent = { ...meta, type: "AgentDispatched", data: { agent: "sentiment", deadline_at: "2026-11-24T10:00:30.000Z", context_from: ["summarizer"] } };
    for (const e of [failed, dispatched]) expect(publicEvent(e)).toEqual(e);
  });

  it("shows webhook attempts and give-ups without userinfo in the URL or in error texts", () => {
    const attempted: ChorusEvent = {
      ...meta,
      type: "WebhookAttempted",
      data: {
        webhook_id: "msg_1",
        attempt: 2,
        url: "https://bob:pw@r.example/h",
        status_code: null,
        duration_ms: 5,
        error: "connect ECONNREFUSED for https://bob:pw@r.example/h",
        next_attempt_at: "2026-11-24T10:01:00.000Z",
      },
    };
    expect(publicEvent(attempted).data).toEqual({ ...attempted.data, url: "https://r.example/h", error: "connect ECONNREFUSED for https://r.example/h" });
    const exhausted: ChorusEvent = { ...meta, type: "WebhookExhausted", data: { webhook_id: "msg_1", attempts: 6, reason: "refused: http://a:b@10.0.0.1/ is private" } };
    expect(publicEvent(exhausted).data).toEqual({ webhook_id: "msg_1", attempts: 6, reason: "refused: http://10.0.0.1/ is private" });
    const delivered: ChorusEvent = { ...meta, type: "WebhookDelivered", data: { webhook_id: "msg_1", attempt: 3, status_code: 204 } };
    expect(publicEvent(delivered)).toEqual(delivered);
  });

  it("leaves out a data field no one has decided to show, such as one a newer schema added", () => {
    const newer = { ...accepted, data: { ...accepted.data, webhook_secret_plain: "hunter2hunter2hunter2" } } as ChorusEvent;
    expect(JSON.stringify(publicEvent(newer))).not.toContain("hunter2");
  });

  it("keeps the acting key's id where recorded, but never something that is not a key id", () => {
    const withKey = { ...accepted, key_id: "key_0123456789abcdef", data: { ...accepted.data, submitted_by_key: "key_fedcba9876543210" } } as ChorusEvent;
    const shown = publicEvent(withKey) as unknown as Record<string, unknown> & { data: Record<string, unknown> };
    expect(shown.key_id).toBe("key_0123456789abcdef");
    expect(shown.data.submitted_by_key).toBe("key_fedcba9876543210");
    const leaked = { ...accepted, data: { ...accepted.data, submitted_by_key: "chorus_sk_live_abcdefabcdefabcdefabcdefabcdef" } } as ChorusEvent;
    expect(JSON.stringify(publicEvent(leaked))).not.toContain("chorus_sk_");
  });

  it("shows when an agent's run began on its outcome, and leaves it out where it was not recorded (a timeout)", () => {
    const agentCompleted: EventOf<"AgentCompleted"> = {
      ...meta,
      type: "AgentCompleted",
      data: { agent: "sentiment", provider: "local", model: "wink", output: { label: "neutral", score: 0, confidence: 0.5 }, duration_ms: 3, usage: null, started_at: "2026-11-24T09:59:59.997Z" },
    };
    expect(publicEvent(agentCompleted).data).toEqual(agentCompleted.data);
    const agentFailed: EventOf<"AgentFailed"> = {
      ...meta,
      type: "AgentFailed",
      data: { agent: "sentiment", provider: "local", model: "wink", error: { code: "refused", message: "no" }, duration_ms: 1, usage: null, started_at: "2026-11-24T09:59:59.999Z" },
    };
    expect(publicEvent(agentFailed).data).toEqual(agentFailed.data);
    const timeout: EventOf<"AgentFailed"> = { ...agentFailed, data: { agent: "sentiment", provider: null, model: null, error: { code: "timeout", message: "late" }, duration_ms: null, usage: null } };
    expect(publicEvent(timeout).data).not.toHaveProperty("started_at");
  });

  it("has a decision, shown or withheld, for every data field of every event schema", () => {
    const withheld: Partial<Record<ChorusEventType, readonly string[]>> = WITHHELD_DATA_FIELDS;
    for (const [type, schema] of Object.entries(EVENT_SCHEMAS) as [ChorusEventType, (typeof EVENT_SCHEMAS)[ChorusEventType]][]) {
      const decided = new Set<string>([...PUBLIC_DATA_FIELDS[type], ...(withheld[type] ?? []), ...KEY_ID_FIELDS]);
      const fields = Object.keys(schema.shape.data.shape);
      expect(fields.filter((f) => !decided.has(f)), `${type}: add each new field to PUBLIC_DATA_FIELDS or WITHHELD_DATA_FIELDS`).toEqual([]);
    }
  });
});

describe("webhook URLs without userinfo", () => {
  it("strips user and password, and returns a URL without them exactly as given", () => {
    expect(withoutUserinfo("https://user:pass@h.example/p?q=1#f")).toBe("https://h.example/p?q=1#f");
    expect(withoutUserinfo("https://:pass@h.example/p")).toBe("https://h.example/p");
    expect(withoutUserinfo("https://user@h.example")).toBe("https://h.example/");
    expect(withoutUserinfo("https://H.example")).toBe("https://H.example");
  });

  it("strips userinfo from free text, up to the host, and leaves e-mail addresses alone", () => {
    expect(withoutUserinfoInText("a http://u:p@h/x and https://v@w:1 too")).toBe("a http://h/x and https://w:1 too");
    expect(withoutUserinfoInText("write to ops@example.com")).toBe("write to ops@example.com");
    expect(withoutUserinfo("not a url u:p@h")).toBe("not a url u:p@h");
  });
});
