import { describe, expect, it } from "vitest";
import { ProviderHealthReport } from "@chorus/contracts";
import { providerHealthReport } from "./report.ts";

const base = { provider: "openai", models: { sentiment: "gpt-4o-mini" }, checkedAt: Date.parse("2026-11-24T10:00:00.000Z"), intervalMs: 30_000, instance: "agents-1:7" };

describe("providerHealthReport", () => {
  it("reports a passing check as ok, without an error, in the shape the gateway reads", () => {
    const report = providerHealthReport({ ...base, failure: null });
    expect(report).toEqual({ provider: "openai", models: { sentiment: "gpt-4o-mini" }, ok: true, checked_at: "2026-11-24T10:00:00.000Z", interval_ms: 30_000, instance: "agents-1:7" });
    expect(ProviderHealthReport.safeParse(report).success).toBe(true);
  });

  it("reports a failing check as not ok with its reason, and never with an empty one", () => {
    expect(providerHealthReport({ ...base, failure: "OpenAI API answered 500: boom" })).toMatchObject({ ok: false, error: "OpenAI API answered 500: boom" });
    const blank = providerHealthReport({ ...base, failure: "" });
    expect(blank).toMatchObject({ ok: false, error: "the provider check failed" });
    expect(ProviderHealthReport.safeParse(blank).success).toBe(true);
  });
});
