// Unit tests of the local provider behind the AgentProvider interface: real models,
// outputs valid for each agent's schema, and the deadline honoured before starting.
import { beforeAll, describe, expect, it } from "vitest";
import { EntitiesOutput, parseAgentOutput, type AgentId } from "@chorus/contracts";
import { localProvider } from "./provider.ts";

const TEXT = "Tim Cook visited Berlin on 3 March 2024. The visit was a wonderful success for everyone involved.";
const provider = localProvider();
const open = () => new AbortController().signal;

beforeAll(async () => {
  await provider.prepare?.();
});

describe("localProvider", () => {
  it("answers every agent with an output valid for its schema, no usage, and the model it reports", async () => {
    for (const agent of ["summarizer", "sentiment", "entity_extractor"] as AgentId[]) {
      const r = await provider.analyze({ agent, text: TEXT, context: {}, signal: open() });
      expect(parseAgentOutput(agent, r.output).success).toBe(true);
      expect(r.usage).toBeNull();
      expect(r.model).toBe(provider.modelFor(agent));
    }
  });

  it("finds the person in the sentence at offsets into the text", async () => {
    const r = await provider.analyze({ agent: "entity_extractor", text: TEXT, context: {}, signal: open() });
    const person = EntitiesOutput.parse(r.output).entities.find((e) => e.type === "PERSON");
    expect(person?.text).toBe("Tim Cook");
    expect(TEXT.slice(person!.start, person!.end)).toBe("Tim Cook");
  });

  it("names itself local with a model per agent", () => {
    expect(provider.name).toBe("local");
    expect(provider.modelFor("summarizer")).toBe("textrank");
  });

  it("does not start when the deadline has already fired", async () => {
    const c = new AbortController();
    c.abort(new Error("deadline"));
    await expect(provider.analyze({ agent: "sentiment", text: TEXT, context: {}, signal: c.signal })).rejects.toThrow("deadline");
  });

  it("is ready once its models are loaded", async () => {
    await expect(provider.check()).resolves.toBeUndefined();
  });
});
