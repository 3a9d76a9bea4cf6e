import { describe, expect, it } from "vitest";
import type { ProviderHealthReport } from "@chorus/contracts";
import { llmProviderStatus, STALE_AFTER_INTERVALS } from "./provider.ts";

const CHECKED_AT = Date.parse("2026-11-24T10:00:00.000Z");

function report(overrides: Partial<ProviderHealthReport> = {}): ProviderHealthReport {
  return {
    provider: "openai",
    models: { summarizer: "gpt-4o-mini", sentiment: "gpt-4o-mini" },
    ok: true,
    checked_at: new Date(CHECKED_AT).toISOString(),
    interval_ms: 30_000,
    instance: "agents-7d9f:42",
    ...overrides,
  };
}

describe("llmProviderStatus", () => {
  it("shows a fresh passing report as ok, with the provider, the shared model and when it was checked", () => {
    expect(llmProviderStatus({ report: report() }, CHECKED_AT + 5_000)).toEqual({
      ok: true,
      provider: "openai",
      model: "gpt-4o-mini",
      models: { summarizer: "gpt-4o-mini", sentiment: "gpt-4o-mini" },
      checked_at: "2026-11-24T10:00:00.000Z",
      instance: "agents-7d9f:42",
    });
  });

  it("names no single model when the replica's agents use different ones", () => {
    const status = llmProviderStatus({ report: report({ provider: "local", models: { summarizer: "textrank", sentiment: "wink-sentiment" } }) }, CHECKED_AT);
    expect(status.ok).toBe(true);
    expect(status.model).toBeUndefined();
    expect(status.models).toEqual({ summarizer: "textrank", sentiment: "wink-sentiment" });
  });

  it("shows a fresh failing report as not ok with the provider's reason", () => {
    const status = llmProviderStatus({ report: report({ ok: false, error: "OpenAI API answered 500: boom" }) }, CHECKED_AT + 1_000);
    expect(status).toMatchObject({ ok: false, provider: "openai", error: "OpenAI API answered 500: boom" });
  });

  it("keeps a report fresh up to three check intervals, and calls it stale after", () => {
    const window = 30_000 * STALE_AFTER_INTERVALS;
    expect(llmProviderStatus({ report: report() }, CHECKED_AT + window).ok).toBe(true);
    const stale = llmProviderStatus({ report: report() }, CHECKED_AT + window + 1);
    expect(stale.ok).toBe(false);
    expect(stale.error).toBe("no agents service has reported in the last 90 s (the last report, from agents-7d9f:42, is from 2026-11-24T10:00:00.000Z)");
    expect(stale.provider).toBe("openai");
  });

  it("measures staleness by the reporting replica's own interval", () => {
    const fast = report({ interval_ms: 1_000 });
    expect(llmProviderStatus({ report: fast }, CHECKED_AT + 3_000).ok).toBe(true);
    expect(llmProviderStatus({ report: fast }, CHECKED_AT + 3_001).error).toMatch(/^no agents service has reported in the last 3 s/);
  });

  it("reports a stale failing report as stale rather than with its old reason", () => {
    const status = llmProviderStatus({ report: report({ ok: false, error: "old reason" }) }, CHECKED_AT + 10 * 60_000);
    expect(status.ok).toBe(false);
    expect(status.error).toMatch(/^no agents service has reported in the last 90 s/);
  });

  it("is not ok when no report exists or it cannot be read", () => {
    expect(llmProviderStatus({ report: null }, CHECKED_AT)).toEqual({
      ok: false,
      error: "no agents service has reported a provider check (none is running, or none has finished starting)",
    });
    expect(llmProviderStatus({ unreadable: "NATS did not answer within 2000 ms" }, CHECKED_AT)).toEqual({
      ok: false,
      error: "cannot read the agents' provider report: NATS did not answer within 2000 ms",
    });
  });
});
