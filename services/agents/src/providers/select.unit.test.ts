// Unit tests of provider selection from AGENT_PROVIDER and the OpenAI key.
import { describe, expect, it } from "vitest";
import { ConfigError } from "@chorus/platform";
import { resolveProviderKind, selectProvider } from "./select.ts";

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

  it("refuses openai in this build with a clear ConfigError", () => {
    for (const selection of [{ setting: "openai" as const }, { setting: "auto" as const, openAiApiKey: "sk-test" }]) {
      expect(() => selectProvider(selection)).toThrow(ConfigError);
      expect(() => selectProvider(selection)).toThrow(/openai provider is not available in this build yet/);
    }
  });
});
