// Which LLM provider the agents use, as configured (AGENT_PROVIDER, OPENAI_API_KEY), for
// the health report. `auto` means OpenAI when a key is set, the offline provider otherwise.
import { z } from "zod";

export const AGENT_PROVIDER_SETTINGS = ["auto", "local", "openai"] as const;
export type AgentProviderSetting = (typeof AGENT_PROVIDER_SETTINGS)[number];

export const LlmProviderStatus = z.object({
  ok: z.boolean(),
  provider: z.enum(["local", "openai"]),
  error: z.string().optional(),
});
export type LlmProviderStatus = z.infer<typeof LlmProviderStatus>;

export function llmProviderStatus(setting: AgentProviderSetting, hasOpenAiKey: boolean): LlmProviderStatus {
  const provider = setting === "auto" ? (hasOpenAiKey ? "openai" : "local") : setting;
  if (provider === "openai" && !hasOpenAiKey) return { ok: false, provider, error: "AGENT_PROVIDER is openai but OPENAI_API_KEY is not set" };
  // The offline provider has nothing to reach; OpenAI is reported as configured, not probed.
  return { ok: true, provider };
}
