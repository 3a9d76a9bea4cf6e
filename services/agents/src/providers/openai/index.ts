// Public surface of the `openai` provider (OpenAI and OpenAI-compatible servers).
export { openAiProvider } from "./provider.ts";
export type { OpenAiDeps, OpenAiSettings } from "./provider.ts";
export type { RetryNotice } from "./retry.ts";
