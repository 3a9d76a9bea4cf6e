// Public surface of the offline ("local") NLP provider: pure functions that need no
// network or API key, and the model names they report.
export { summarize } from "./summarize.ts";
export { analyzeSentiment } from "./sentiment.ts";
export { extractEntities, type Entity } from "./entities.ts";

export const LOCAL_MODELS = {
  summarizer: "textrank",
  sentiment: "wink-sentiment",
  entity_extractor: "compromise+wink",
} as const;
