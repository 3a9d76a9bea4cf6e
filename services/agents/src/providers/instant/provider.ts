// The `bench` provider: answers every agent at once with a fixed, schema-valid output
// and does no NLP, so a benchmark measures Chorus itself. An optional fixed delay stands
// in for a model's latency (sequential vs parallel without calling a real LLM).
import type { AgentId } from "@chorus/contracts";
import type { AgentProvider } from "../provider.ts";
import { sleep } from "@chorus/platform";

export type InstantSettings = {
  /** How long every answer takes, ms; 0 answers at once. */
  delayMs: number;
};

const INSTANT_MODEL = "instant";

/** A fixed output per agent that passes the agent's schema; it says nothing about the text. */
export function instantOutput(agent: AgentId, text: string): unknown {
  switch (agent) {
    case "summarizer":
      return { summary: text.slice(0, 80), key_points: [] };
    case "sentiment":
      return { label: "neutral", score: 0, confidence: 0 };
    case "entity_extractor":
      return { entities: [] };
    default: {
      const unknown: never = agent;
      throw new Error(`no instant output for agent ${String(unknown)}`);
    }
  }
}


export function instantProvider(settings: InstantSettings): AgentProvider {
  const model = settings.delayMs > 0 ? `${INSTANT_MODEL}+${settings.delayMs}ms` : INSTANT_MODEL;
  return {
    name: "bench",
    modelFor: () => model,
    async check() {},
    async analyze({ agent, text, signal }) {
      signal.throwIfAborted();
      if (settings.delayMs > 0) await sleep(settings.delayMs, signal);
      return { output: instantOutput(agent, text), usage: null, model };
    },
  };
}
