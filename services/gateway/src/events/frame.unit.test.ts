import { describe, expect, it } from "vitest";
import type { ChorusEvent } from "@chorus/contracts";
import { publicEvent } from "../views/public-event.ts";
import { resumeAfter, sseFrame } from "./frame.ts";

const event = {
  id: "5d0c3c8e-9a43-4c8e-a1a5-8e3f0c7d1b2a",
  type: "AgentStarted",
  version: 1,
  request_id: "0b9f5c1e-4a8a-4d0c-9b56-3f1f0f2a9e11",
  tenant_id: "default",
  occurred_at: "2026-11-24T10:00:00.000Z",
  correlation_id: "c-1",
  data: { agent: "summarizer", provider: "local", model: "textrank\nv2", delivery: 1 },
} satisfies ChorusEvent;

describe("SSE frames", () => {
  it("carry the stream sequence as id, the event type as event, and the envelope as one data line", () => {
    const frame = sseFrame(42, event);
    expect(frame.endsWith("\n\n")).toBe(true);
    const lines = frame.trimEnd().split("\n");
    expect(lines).toEqual([`id: 42`, `event: AgentStarted`, `data: ${JSON.stringify(event)}`]);
    expect(JSON.parse(lines[2]!.slice("data: ".length))).toEqual(event);
  });

  it("carry the event's public view: no sealed secret, fingerprint, idempotency key or URL userinfo", () => {
    const accepted = {
      ...event,
      type: "RequestAccepted",
      data: {
        text: "Apple reported record earnings.",
        orchestration_mode: "parallel",
        agents: ["sentiment"],
        webhook: { url: "https://user:pw@receiver.example/hook", secret: "v1.aaaa.bbbb.cccc" },
        idempotency_key: "order-42",
        fingerprint: "ab12",
        agent_timeout_ms: 1000,
      },
    } satisfies ChorusEvent;
    const data = sseFrame(7, accepted).trimEnd().split("\n")[2]!;
    expect(data).toBe(`data: ${JSON.stringify(publicEvent(accepted))}`);
    expect(JSON.parse(data.slice("data: ".length)).data.webhook).toEqual({ url: "https://receiver.example/hook" });
    for (const hidden of ["secret", "v1.aaaa", "fingerprint", "idempotency_key", "order-42", "user:pw"]) expect(data).not.toContain(hidden);
  });

  it("resume after a Last-Event-ID that is a sequence, and from the start for anything else", () => {
    expect(resumeAfter("17")).toBe(17);
    expect(resumeAfter(" 17 ")).toBe(17);
    expect(resumeAfter(undefined)).toBeUndefined();
    expect(resumeAfter("abc")).toBeUndefined();
    expect(resumeAfter("-3")).toBeUndefined();
  });
});
