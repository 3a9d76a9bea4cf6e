import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ChorusEvent, jsonSchemaFiles, messageIds, parseAgentOutput, pendingResult, topology, usageTotal } from "./index.ts";

const schemasDir = fileURLToPath(new URL("../schemas/", import.meta.url));

function completed(agent: "summarizer" | "sentiment", output: unknown) {
  return {
    id: randomUUID(),
    type: "AgentCompleted",
    version: 1,
    request_id: randomUUID(),
    tenant_id: "default",
    occurred_at: "2026-11-24T10:00:00.000Z",
    correlation_id: "c",
    data: { agent, provider: "local", model: "textrank", output, duration_ms: 3, usage: null },
  };
}

describe("contracts", () => {
  it("keeps the committed JSON Schema files identical to what the zod schemas generate", () => {
    for (const file of jsonSchemaFiles()) {
      const committed = JSON.parse(readFileSync(schemasDir + file.path, "utf8"));
      expect(committed, `${file.path} is stale: run npm run contracts:schemas`).toEqual(file.schema);
    }
  });

  it("puts request id and event type in the subject so consumers can filter by either", () => {
    const t = topology("chorus");
    const id = randomUUID();
    const event = ChorusEvent.parse(completed("summarizer", { summary: "s", key_points: [] }));
    expect(t.subjects.event(id, event)).toBe(`chorus.ev.request.${id}.agent.summarizer.completed`);
    expect(t.subjects.requestEvents(id)).toBe(`chorus.ev.request.${id}.>`);
    expect(t.streams.events).toBe("CHORUS_EVENTS");
  });

  it("derives one outcome message id per agent run, so a completion and a timeout collapse", () => {
    expect(messageIds.outcome("r", "sentiment")).toBe(messageIds.outcome("r", "sentiment"));
    expect(messageIds.outcome("r", "sentiment")).not.toBe(messageIds.outcome("r", "summarizer"));
  });

  it("rejects a prefix that is not a single subject token", () => {
    expect(() => topology("a.b")).toThrow(/one token/);
    expect(() => topology("a*")).toThrow();
  });

  it("refuses an event whose envelope is incomplete or whose version is unknown", () => {
    const good = completed("summarizer", { summary: "s", key_points: [] });
    expect(ChorusEvent.safeParse(good).success).toBe(true);
    expect(ChorusEvent.safeParse({ ...good, version: 2 }).success).toBe(false);
    expect(ChorusEvent.safeParse({ ...good, request_id: "nope" }).success).toBe(false);
    expect(ChorusEvent.safeParse({ ...good, type: "Whatever" }).success).toBe(false);
  });

  it("checks an agent's output against that agent's own schema", () => {
    expect(parseAgentOutput("sentiment", { label: "positive", score: 0.5, confidence: 0.9 }).success).toBe(true);
    expect(parseAgentOutput("sentiment", { label: "great", score: 0.5, confidence: 0.9 }).success).toBe(false);
    expect(parseAgentOutput("sentiment", { label: "positive", score: 2, confidence: 0.9 }).success).toBe(false);
    expect(parseAgentOutput("summarizer", { label: "positive", score: 0.5, confidence: 0.9 }).success).toBe(false);
  });

  it("sums token usage over the agents that reported any, and is null when none did", () => {
    const used = (p: number, c: number) => ({ ...pendingResult(), usage: { prompt_tokens: p, completion_tokens: c, total_tokens: p + c } });
    expect(usageTotal({ summarizer: used(100, 20), sentiment: used(40, 5), entity_extractor: pendingResult() })).toEqual({
      prompt_tokens: 140,
      completion_tokens: 25,
      total_tokens: 165,
    });
    expect(usageTotal({ sentiment: pendingResult() })).toBeNull();
  });
});
