// Public surface of the `openai` provider (OpenAI and OpenAI-compatible servers).
export { openAiProvider } from "./provider.ts";
export type { OpenAiDeps, OpenAiSettings } from "./provider.ts";
export { classifyOpenAiError, retryAfterMs } from "./errors.ts";
export type { RetrySettings, RetryNotice } from "./retry.ts";
export { aggregateSentiment, chunkText, mergeEntities, placeEntities } from "./long-text.ts";
