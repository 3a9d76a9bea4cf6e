// The `local` provider: the offline NLP functions of this folder behind the
// AgentProvider interface. No network, no key, no token usage.
import type { AgentId } from "@chorus/contracts";
import { ProviderError, type AgentContext, type AgentProvider } from "../provider.ts";
import { analyzeSentiment, extractEntities, LOCAL_MODELS, summarize } from "./index.ts";

// Short, but enough to make every engine load its model and parse once.
const WARM_UP_TEXT = "Ada Lovelace visited London on 5 May 1843 and paid $20. She loved the trip.";

function run(agent: AgentId, text: string, context: AgentContext): unknown {
  switch (agent) {
    case "summarizer":
      return summarize(text, context);
    case "sentiment":
      return analyzeSentiment(text);
    case "entity_extractor":
      return extractEntities(text);
    default: {
      const unknown: never = agent;
      throw new Error(`no local model for agent ${String(unknown)}`);
    }
  }
}

export function localProvider(): AgentProvider {
  return {
    name: "local",
    modelFor: (agent) => LOCAL_MODELS[agent],
    async prepare() {
      for (const agent of Object.keys(LOCAL_MODELS) as AgentId[]) run(agent, WARM_UP_TEXT, {});
    },
    async check() {
      analyzeSentiment("Ready.");
    },
    async analyze({ agent, text, context, signal }) {
      // The NLP calls are synchronous: the deadline can only be honoured before starting.
      signal.throwIfAborted();
      let output: unknown;
      try {
        output = run(agent, text, context);
      } catch (cause) {
        // The same text would fail the same way again.
        throw new ProviderError(`local ${agent} failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
          code: "provider_error",
          retryable: false,
          cause,
        });
      }
      return { output, usage: null, model: LOCAL_MODELS[agent] };
    },
  };
}
