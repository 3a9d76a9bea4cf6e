// How the scripted OpenAI-compatible server answers the benchmarks' agents: a valid
// structured output for whichever agent asks (by the schema name of its request), after
// an optional delay, so the measured latency is the server's and not a validation retry.
import type { AgentId } from "@chorus/contracts";
import { completionReply, errorReply, schemaNameOf, type RecordedRequest, type ScriptedReply } from "@chorus/testing";

const ANSWERS: Record<AgentId, unknown> = {
  summarizer: { summary: "A short summary.", key_points: ["one point"] },
  sentiment: { label: "neutral", score: 0, confidence: 0.9 },
  entity_extractor: { entities: [] },
};

export function answerAsAgent(request: RecordedRequest, delayMs = 0): ScriptedReply {
  const agent = schemaNameOf(request) as AgentId | undefined;
  const reply = agent && agent in ANSWERS ? completionReply(ANSWERS[agent]) : errorReply(400, `no scripted answer for schema ${String(agent)}`);
  return delayMs > 0 ? { ...reply, delayMs } : reply;
}
