import { describe, expect, it } from "vitest";
import { RequestId, acceptSubmission, type EventOf } from "@chorus/contracts";
import { ApiError } from "../errors.ts";
import { submittedView } from "../views/fold.ts";
import { duplicateSubmission, fingerprintOf, priorSubmission, requestIdForKey } from "./idempotency.ts";
import type { ProcessInput } from "./schema.ts";

const key = Buffer.alloc(32, 7);
const input: ProcessInput = { text: "some text to analyse", orchestration_mode: "parallel", agents: ["summarizer", "sentiment"], webhook: null };

describe("requestIdForKey", () => {
  it("derives the same version-8 UUID for the same tenant and key", () => {
    const id = requestIdForKey("default", "order-42");
    expect(requestIdForKey("default", "order-42")).toBe(id);
    expect(RequestId.safeParse(id).success).toBe(true);
    expect(id[14]).toBe("8");
    expect("89ab").toContain(id[19]);
  });

  it("derives different ids for another key or another tenant", () => {
    const id = requestIdForKey("default", "order-42");
    expect(requestIdForKey("default", "order-43")).not.toBe(id);
    expect(requestIdForKey("acme", "order-42")).not.toBe(id);
    // The separator keeps ("a", "bc") and ("ab", "c") apart.
    expect(requestIdForKey("a", "bc")).not.toBe(requestIdForKey("ab", "c"));
  });
});

describe("fingerprintOf", () => {
  it("is the same for the same validated body and differs when any field differs", () => {
    const fp = fingerprintOf(input, key);
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprintOf({ ...input }, key)).toBe(fp);
    expect(fingerprintOf({ ...input, text: "some text to analyse!" }, key)).not.toBe(fp);
    expect(fingerprintOf({ ...input, orchestration_mode: "sequential" }, key)).not.toBe(fp);
    expect(fingerprintOf({ ...input, agents: ["sentiment", "summarizer"] }, key)).not.toBe(fp);
  });

  it("depends on the webhook secret without containing it or its plain hash", () => {
    const a = fingerprintOf({ ...input, webhook: { url: "https://a.example/h", secret: "0123456789abcdef" } }, key);
    const b = fingerprintOf({ ...input, webhook: { url: "https://a.example/h", secret: "0123456789abcdeX" } }, key);
    expect(a).not.toBe(b);
    expect(a).not.toBe(fingerprintOf(input, key));
    expect(fingerprintOf({ ...input, webhook: { url: "https://a.example/h", secret: "0123456789abcdef" } }, Buffer.alloc(32, 8))).not.toBe(a);
  });
});

const requestId = requestIdForKey("default", "order-42");
const earlierAt = "2026-11-24T10:00:00.000Z";
const known = submittedView(requestId, input, "2026-11-24T10:05:00.000Z");

/** The accept an earlier submission under the same key stored, with the fingerprint it recorded. */
function earlierAccept(fingerprint: string | null): EventOf<"RequestAccepted"> {
  return acceptSubmission(
    {
      request_id: requestId,
      tenant_id: "default",
      correlation_id: "corr-1",
      data: { ...input, webhook: null, idempotency_key: "order-42", fingerprint },
    },
    { id: "0c1d2e3f-4a5b-4c6d-8e7f-0123456789ab", occurredAt: earlierAt, agentTimeoutMs: 30_000 },
  );
}

const reusedKey = expect.objectContaining({ code: "IdempotencyKeyReused", requestId });

describe("priorSubmission", () => {
  const fp = fingerprintOf(input, key);

  it("finds none when the request has no recorded accept", () => {
    expect(priorSubmission([], fp, known)).toBeUndefined();
  });

  it("replays an earlier submission of the same body with the view its events give", () => {
    expect(priorSubmission([earlierAccept(fp)], fp, known)).toEqual({ view: { ...known, created_at: earlierAt }, ended: false });
  });

  it("takes an earlier submission that recorded no fingerprint as the same body", () => {
    expect(priorSubmission([earlierAccept(null)], fp, known)?.view.created_at).toBe(earlierAt);
  });

  it("refuses a key reused with another body", () => {
    const other = fingerprintOf({ ...input, text: "another text to analyse" }, key);
    expect(() => priorSubmission([earlierAccept(other)], fp, known)).toThrow(ApiError);
    expect(() => priorSubmission([earlierAccept(other)], fp, known)).toThrow(reusedKey);
  });
});

describe("duplicateSubmission", () => {
  const fp = fingerprintOf(input, key);

  it("answers with the stored accept's view when it was the same body", () => {
    expect(duplicateSubmission(earlierAccept(fp), fp, known)).toEqual({ ...known, created_at: earlierAt });
  });

  it("answers with what is known when the stored accept cannot be read back", () => {
    expect(duplicateSubmission(undefined, fp, known)).toBe(known);
  });

  it("refuses a key reused with another body", () => {
    const other = fingerprintOf({ ...input, agents: ["sentiment"] }, key);
    expect(() => duplicateSubmission(earlierAccept(other), fp, known)).toThrow(reusedKey);
  });
});
