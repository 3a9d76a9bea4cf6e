import { describe, expect, it } from "vitest";
import { llmProviderStatus } from "./provider.ts";

describe("llmProviderStatus", () => {
  it("resolves auto to openai with a key and to local without one", () => {
    expect(llmProviderStatus("auto", true)).toEqual({ ok: true, provider: "openai" });
    expect(llmProviderStatus("auto", false)).toEqual({ ok: true, provider: "local" });
  });

  it("reports local as always ok, and openai without a key as not ok", () => {
    expect(llmProviderStatus("local", true)).toEqual({ ok: true, provider: "local" });
    expect(llmProviderStatus("openai", false)).toMatchObject({ ok: false, provider: "openai" });
  });
});
