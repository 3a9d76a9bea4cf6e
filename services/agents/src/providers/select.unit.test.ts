// Unit tests of provider selection from AGENT_PROVIDER and the OpenAI key.
import { describe, expect, it } from "vitest";
import { ConfigError } from "@chorus/platform";
import { DEFAULT_OPENAI_SETTINGS, resolveProviderKind, selectProvider } from "./select.ts";

describe("resolveProviderKind", () => {
  it("chooses openai for auto when a key is set, else local", () => {
    expect(resolveProviderKind("auto", true)).toBe("openai");
    expect(resolveProviderKind("auto", false)).toBe("local");
  });

  it("follows an explicit choice whatever the key", () => {
    expect(resolveProviderKind("local", true)).toBe("local");
    expect(resolveProviderKind("openai", false)).toBe("openai");
  });
});

describe("selectProvider", () => {
  it("builds the local provider for auto without a key", () => {
    expect(selectProvider({ setting: "auto" }).name).toBe("local");
    expect(selectProvider({ setting: "auto", openAiApiKey: "" }).name).toBe("local");
  });

  it("builds the local provider when asked, even with a key", () => {
    expect(selectProvider({ setting: "local", openAiApiKey: "sk-test" }).name).toBe("local");
  });

  it("builds the openai provider for auto with a key, with the default model for every agent", () => {
    const provider = selectProvider({ setting: "auto", openAiApiKey: "sk-test" });
    expect(provider.name).toBe("openai");
    expect(provider.modelFor("sentiment")).toBe("gpt-4o-mini");
  });

  it("uses a per-agent model where one is configured", () => {
    const provider = selectProvider({
      setting: "openai",
      openAiApiKey: "sk-test",
      openAi: { ...DEFAULT_OPENAI_SETTINGS, model: "m-default", models: { summarizer: "m-big" } },
    });
    expect(provider.modelFor("summarizer")).toBe("m-big");
    expect(provider.modelFor("entity_extractor")).toBe("m-default");
  });

  it("accepts openai without a key when a base URL names a server of one's own", () => {
    const provider = selectProvider({ setting: "openai", openAi: { ...DEFAULT_OPENAI_SETTINGS, baseURL: "http://127.0.0.1:11434/v1" } });
    expect(provider.name).toBe("openai");
  });

  it("refuses openai with neither a key nor a base URL, with a clear ConfigError", () => {
    expect(() => selectProvider({ setting: "openai" })).toThrow(ConfigError);
    expect(() => selectProvider({ setting: "openai" })).toThrow(/OPENAI_API_KEY is not set/);
  });
});
