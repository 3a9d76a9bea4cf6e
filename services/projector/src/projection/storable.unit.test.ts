// Text Postgres cannot store in an event: found, described where it is, and replaced.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { withStorableText, type EventOf } from "@chorus/contracts";
import { mayCarryUnstorableText, unstorableText } from "./storable.ts";

describe("making an event storable", () => {
  it("reaches every string of the event, however deep, and leaves numbers, nulls and structure alone", () => {
    const event = {
      id: randomUUID(),
      type: "AgentCompleted",
      version: 1,
      request_id: randomUUID(),
      tenant_id: "default",
      correlation_id: "corr",
      occurred_at: "2026-11-24T10:00:00.000Z",
      data: {
        agent: "entity_extractor",
        provider: "local",
        model: "m",
        output: { entities: [{ text: "Ap\u0000ple", type: "ORGANIZATION", start: 0, end: 6 }, { text: "\ud83d", type: "PERSON", start: 7, end: 8 }] },
        duration_ms: 12,
        usage: null,
      },
    } satisfies EventOf<"AgentCompleted">;
    const storable = withStorableText(event);
    expect(storable).toEqual({
      ...event,
      data: { ...event.data, output: { entities: [{ text: "Ap\uFFFDple", type: "ORGANIZATION", start: 0, end: 6 }, { text: "\uFFFD", type: "PERSON", start: 7, end: 8 }] } },
    });
    expect(event.data.output.entities[0]?.text).toBe("Ap\u0000ple");
  });

  it("says where an event carries such text, leaving out a request's own text, of which only the length is stored", () => {
    const meta = { id: randomUUID(), version: 1 as const, request_id: randomUUID(), tenant_id: "default", correlation_id: "corr", occurred_at: "2026-11-24T10:00:00.000Z" };
    const accepted = (text: string, key: string | null): EventOf<"RequestAccepted"> => ({
      ...meta,
      type: "RequestAccepted",
      data: { text, orchestration_mode: "parallel", agents: ["sentiment"], webhook: null, idempotency_key: key, fingerprint: null, agent_timeout_ms: 1_000 },
    });
    expect(unstorableText(accepted("nul \u0000 and \ud800 in the text", "key"))).toBeNull();
    expect(unstorableText(accepted("fine", "k\u0000"))).toBe("event.data.idempotency_key contains U+0000");
    const failed: EventOf<"AgentFailed"> = {
      ...meta,
      type: "AgentFailed",
      data: { agent: "summarizer", provider: null, model: null, error: { code: "provider_error", message: "bad \udc00" }, duration_ms: null, usage: null },
    };
    expect(unstorableText(failed)).toBe("event.data.error.message contains an unpaired UTF-16 surrogate");
    expect(unstorableText({ ...failed, data: { ...failed.data, error: { code: "x", message: "pair 😀 only" } } })).toBeNull();
  });

  it("tells from a message's raw JSON alone which events need looking at: only one with a NUL or surrogate escape", () => {
    const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
    expect(mayCarryUnstorableText(bytes({ text: "plain, 😀 and \u0001 \u001b é" }))).toBe(false);
    expect(mayCarryUnstorableText(bytes({ text: "a \u0000 b" }))).toBe(true);
    expect(mayCarryUnstorableText(bytes({ text: "lone \ud800" }))).toBe(true);
    expect(mayCarryUnstorableText(bytes({ text: "lone \udfff" }))).toBe(true);
    // Another producer may escape in upper case, and escape a valid pair: looked at, then found fine.
    expect(mayCarryUnstorableText(new TextEncoder().encode('{"t":"\\uD83D\\uDE00 \\u00E9"}'))).toBe(true);
    expect(mayCarryUnstorableText(new TextEncoder().encode('{"t":"\\u00E9 \\u0041 \\\\u0000"}'))).toBe(false);
  });
});
