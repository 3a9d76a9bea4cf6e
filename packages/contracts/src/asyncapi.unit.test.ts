import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { AGENT_IDS } from "./agents.ts";
import { asyncApiDocument, eventAddress, eventWildcard } from "./asyncapi.ts";
import { EVENT_SCHEMAS, type ChorusEventType } from "./events.ts";
import { topology } from "./topology.ts";

type Doc = {
  asyncapi: string;
  channels: Record<string, { address: string; messages: Record<string, { $ref: string }>; parameters: Record<string, unknown> }>;
  operations: Record<string, { action: string; channel: { $ref: string } }>;
  components: { messages: Record<string, { payload: { schemaFormat: string; schema: { required?: string[]; properties: Record<string, { const?: string }> } } }> };
};

const doc = asyncApiDocument() as unknown as Doc;
const TYPES = Object.keys(EVENT_SCHEMAS) as ChorusEventType[];

describe("the AsyncAPI event catalog", () => {
  it("has a channel, a receive operation and a message with the envelope's JSON Schema for every event type", () => {
    expect(doc.asyncapi).toBe("3.0.0");
    expect(Object.keys(doc.channels).sort()).toEqual([...TYPES].sort());
    for (const type of TYPES) {
      expect(doc.operations[`receive${type}`]).toEqual(expect.objectContaining({ action: "receive", channel: { $ref: `#/channels/${type}` } }));
      expect(doc.channels[type]!.messages[type]!.$ref).toBe(`#/components/messages/${type}`);
      const payload = doc.components.messages[type]!.payload;
      expect(payload.schemaFormat).toBe("application/schema+json;version=draft-07");
      expect(payload.schema.required).toEqual(expect.arrayContaining(["id", "type", "version", "request_id", "tenant_id", "occurred_at", "correlation_id", "data"]));
      expect(payload.schema.properties.type!.const).toBe(type);
    }
  });

  it("names the same subjects the services publish on, with the request and agent as parameters", () => {
    const t = topology("chorus");
    const id = "0b9f5c1e-4a8a-4d0c-9b56-3f1f0f2a9e11";
    for (const type of TYPES) {
      const address = eventAddress("chorus", type);
      const agentParam = address.includes("{agent}");
      expect(Object.keys(doc.channels[type]!.parameters).sort()).toEqual(agentParam ? ["agent", "request_id"] : ["request_id"]);
      for (const agent of agentParam ? AGENT_IDS : (["summarizer"] as const)) {
        const published = t.subjects.event(id, { type, data: { agent } } as never);
        expect(address.replace("{request_id}", id).replace("{agent}", agent)).toBe(published);
      }
    }
    expect(eventWildcard("chorus", "AgentCompleted")).toBe("chorus.ev.request.*.agent.*.completed");
    expect(eventWildcard("chorus", "RequestCompleted")).toBe(t.subjects.requestEnds("completed"));
  });

  it("keeps the committed asyncapi.json identical to what the code generates", () => {
    const committed = JSON.parse(readFileSync(fileURLToPath(new URL("../asyncapi.json", import.meta.url)), "utf8"));
    expect(committed, "asyncapi.json is stale: run npm run contracts:asyncapi").toEqual(asyncApiDocument());
  });
});
