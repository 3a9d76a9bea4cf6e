// Unit tests of the `bench` provider: schema-valid outputs at once, or after its fixed delay.
import { describe, expect, it } from "vitest";
import { AGENT_IDS, parseAgentOutput } from "@chorus/contracts";
import { selectProvider } from "../select.ts";
import { instantOutput, instantProvider } from "./index.ts";

describe("instant bench provider", () => {
  it("gives every agent an output its schema accepts", () => {
    for (const agent of AGENT_IDS) expect(parseAgentOutput(agent, instantOutput(agent, "Some text to answer for.")).success).toBe(true);
  });

  it("answers under the name bench with no token usage", async () => {
    const provider = instantProvider({ delayMs: 0 });
    const result = await provider.analyze({ agent: "sentiment", text: "Some text here.", context: {}, signal: new AbortController().signal });
    expect(provider.name).toBe("bench");
    expect(result).toEqual({ output: { label: "neutral", score: 0, confidence: 0 }, usage: null, model: "instant" });
  });

  it("gives up its delay when the task's deadline fires", async () => {
    const controller = new AbortController();
    const pending = instantProvider({ delayMs: 60_000 }).analyze({ agent: "summarizer", text: "Some text here.", context: {}, signal: controller.signal });
    controller.abort(new Error("deadline"));
    await expect(pending).rejects.toThrow("deadline");
  });

  it("names the delay in its model, so results say what was measured", () => {
    expect(instantProvider({ delayMs: 300 }).modelFor("summarizer")).toBe("instant+300ms");
  });

  it("is what AGENT_PROVIDER=bench selects, whatever the OpenAI key", () => {
    const provider = selectProvider({ setting: "bench", openAiApiKey: "sk-test", benchDelayMs: 300 });
    expect(provider.name).toBe("bench");
    expect(provider.modelFor("sentiment")).toBe("instant+300ms");
  });
});
