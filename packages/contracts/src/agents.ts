// The agents Chorus runs and the shape of each one's output. These schemas are the
// contract for the offline provider, the OpenAI structured outputs and the REST API.
import { z } from "zod";

export const AGENT_IDS = ["summarizer", "sentiment", "entity_extractor"] as const;
export const AgentId = z.enum(AGENT_IDS);
export type AgentId = z.infer<typeof AgentId>;

export const ORCHESTRATION_MODES = ["sequential", "parallel"] as const;
export const OrchestrationMode = z.enum(ORCHESTRATION_MODES);
export type OrchestrationMode = z.infer<typeof OrchestrationMode>;

export const SummaryOutput = z.object({
  summary: z.string(),
  key_points: z.array(z.string()),
});
export type SummaryOutput = z.infer<typeof SummaryOutput>;

export const SENTIMENT_LABELS = ["positive", "negative", "neutral", "mixed"] as const;
export const SentimentOutput = z.object({
  label: z.enum(SENTIMENT_LABELS),
  score: z.number().min(-1).max(1),
  confidence: z.number().min(0).max(1),
});
export type SentimentOutput = z.infer<typeof SentimentOutput>;

export const ENTITY_TYPES = ["PERSON", "ORGANIZATION", "LOCATION", "DATE", "MONEY"] as const;
export const EntityType = z.enum(ENTITY_TYPES);
export type EntityType = z.infer<typeof EntityType>;

export const Entity = z.object({
  text: z.string(),
  type: EntityType,
  // UTF-16 offsets into the submitted text: text.slice(start, end) === entity.text.
  start: z.number().int().min(0),
  end: z.number().int().min(0),
});
export type Entity = z.infer<typeof Entity>;

export const EntitiesOutput = z.object({ entities: z.array(Entity) });
export type EntitiesOutput = z.infer<typeof EntitiesOutput>;

export const AgentOutputSchemas = {
  summarizer: SummaryOutput,
  sentiment: SentimentOutput,
  entity_extractor: EntitiesOutput,
} as const;

export type AgentOutputs = {
  summarizer: SummaryOutput;
  sentiment: SentimentOutput;
  entity_extractor: EntitiesOutput;
};
export type AgentOutput = AgentOutputs[AgentId];

export const AgentOutput = z.union([SummaryOutput, SentimentOutput, EntitiesOutput]);

export const TokenUsage = z.object({
  prompt_tokens: z.number().int().min(0),
  completion_tokens: z.number().int().min(0),
  total_tokens: z.number().int().min(0),
});
export type TokenUsage = z.infer<typeof TokenUsage>;

export const AgentError = z.object({
  // Machine-readable reason: "timeout", "provider_error", "invalid_output", "crashed", …
  code: z.string(),
  message: z.string(),
});
export type AgentError = z.infer<typeof AgentError>;

/** Checks an output against its agent's schema; used where the agent id is data. */
export function parseAgentOutput(agent: AgentId, output: unknown) {
  return AgentOutputSchemas[agent].safeParse(output);
}
