import { describe, expect, it } from "vitest";
import { RequestId } from "@chorus/contracts";
import { fingerprintOf, requestIdForKey } from "./idempotency.ts";
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
