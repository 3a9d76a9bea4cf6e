import { describe, expect, it } from "vitest";
import { acceptSubmission, AgentTask, dispatchedByAccept, isStorableText, RequestAccepted, taskFromAccept, toStorableText, unstorableTextIn, withStorableText, type CommandOf } from "./index.ts";

describe("storable text", () => {
  it("tells NUL and unpaired surrogates from every other character", () => {
    expect(isStorableText("plain \u0001\u001b\u007f\u2028 😀")).toBe(true);
    expect(isStorableText("nul \u0000")).toBe(false);
    expect(isStorableText("high \ud800 alone")).toBe(false);
    expect(isStorableText("low \udc00 alone")).toBe(false);
    expect(isStorableText("reversed \ude00\ud83d")).toBe(false);
  });

  it("replaces each offending UTF-16 unit with one U+FFFD, so offsets stay", () => {
    const text = "a\u0000b\ud800c\ude00\ud83dd😀";
    const stored = toStorableText(text);
    expect(stored).toBe("a\ufffdb\ufffdc\ufffd\ufffdd😀");
    expect(stored.length).toBe(text.length);
  });

  it("walks arrays and objects, keys too, and returns the same value when nothing changes", () => {
    const clean = { entities: [{ text: "Apple", start: 0, end: 5 }], n: 1, ok: true, none: null };
    expect(withStorableText(clean)).toBe(clean);
    expect(withStorableText({ "k\u0000": ["x\ud800", { y: "z\u0000" }], n: 2 })).toEqual({ "k\ufffd": ["x\ufffd", { y: "z\ufffd" }], n: 2 });
  });
});

describe("unstorableTextIn", () => {
  it("names the first NUL by its UTF-16 index before any surrogate, and a lone surrogate by its code point index", () => {
    expect(unstorableTextIn("fine 😀 text")).toBeUndefined();
    expect(unstorableTextIn("😀a\u0000b\ud800")).toEqual({ kind: "nul", index: 3 });
    expect(unstorableTextIn("😀ab\udc00")).toEqual({ kind: "lone_surrogate", codePoint: 3 });
    expect(unstorableTextIn("\ud800😀")).toEqual({ kind: "lone_surrogate", codePoint: 0 });
  });
});

describe("acceptSubmission", () => {
  const submit: CommandOf<"SubmitRequest"> = {
    id: "8a3e2f7c-1d2b-4c5a-9e6f-0a1b2c3d4e5f",
    type: "SubmitRequest",
    version: 1,
    request_id: "0b9f5c1e-4a8a-4d0c-9b56-3f1f0f2a9e11",
    tenant_id: "acme",
    occurred_at: "2026-11-29T10:00:00.000Z",
    correlation_id: "corr-1",
    data: { text: "Some text to analyse.", orchestration_mode: "sequential", agents: ["sentiment", "summarizer", "sentiment"], webhook: null, idempotency_key: "k-1", fingerprint: "f".repeat(64) },
  };

  it("is a valid RequestAccepted of the same request, with each agent once in first-asked order and the given timeout", () => {
    const accepted = acceptSubmission(submit, { id: "5f0e1d2c-3b4a-4968-8776-a5b4c3d2e1f0", occurredAt: "2026-11-29T10:00:01.000Z", agentTimeoutMs: 1_500 });
    expect(RequestAccepted.parse(accepted)).toEqual(accepted);
    expect(accepted).toEqual({
      id: "5f0e1d2c-3b4a-4968-8776-a5b4c3d2e1f0",
      type: "RequestAccepted",
      version: 2,
      request_id: submit.request_id,
      tenant_id: "acme",
      occurred_at: "2026-11-29T10:00:01.000Z",
      correlation_id: "corr-1",
      data: { text: submit.data.text, orchestration_mode: "sequential", agents: ["sentiment", "summarizer"], webhook: null, idempotency_key: "k-1", fingerprint: "f".repeat(64), agent_timeout_ms: 1_500, dispatch: null },
    });
  });

  it("makes a parallel accept its agents' dispatch, under the accept's time plus the timeout, and each listed agent's task", () => {
    const accepted = acceptSubmission({ ...submit, data: { ...submit.data, orchestration_mode: "parallel" } }, { id: "5f0e1d2c-3b4a-4968-8776-a5b4c3d2e1f0", occurredAt: "2026-11-29T10:00:01.000Z", agentTimeoutMs: 1_500 });
    expect(RequestAccepted.parse(accepted).data.dispatch).toEqual({ deadline_at: "2026-11-29T10:00:02.500Z" });
    expect(dispatchedByAccept(accepted)).toEqual({ deadline_at: "2026-11-29T10:00:02.500Z" });
    const task = taskFromAccept(accepted, "summarizer");
    expect(AgentTask.parse(task)).toEqual(task);
    expect(task).toMatchObject({ id: accepted.id, request_id: accepted.request_id, correlation_id: "corr-1", data: { agent: "summarizer", text: submit.data.text, context: {}, deadline_at: "2026-11-29T10:00:02.500Z" } });
    // Not listed: not that agent's dispatch.
    expect(taskFromAccept(accepted, "entity_extractor")).toBeNull();
  });

  it("leaves sequential accepts and accepts of version 1 to the orchestrator's dispatch", () => {
    const sequential = acceptSubmission(submit, { id: "5f0e1d2c-3b4a-4968-8776-a5b4c3d2e1f0", occurredAt: "2026-11-29T10:00:01.000Z", agentTimeoutMs: 1_500 });
    expect(taskFromAccept(sequential, "summarizer")).toBeNull();
    const parallel = acceptSubmission({ ...submit, data: { ...submit.data, orchestration_mode: "parallel" } }, { id: "5f0e1d2c-3b4a-4968-8776-a5b4c3d2e1f0", occurredAt: "2026-11-29T10:00:01.000Z", agentTimeoutMs: 1_500 });
    const v1 = RequestAccepted.parse({ ...parallel, version: 1 });
    expect(dispatchedByAccept(v1)).toBeNull();
    expect(taskFromAccept(v1, "summarizer")).toBeNull();
    expect(RequestAccepted.safeParse({ ...parallel, version: 3 }).success).toBe(false);
  });
});
