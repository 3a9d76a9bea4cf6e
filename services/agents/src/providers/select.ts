// Which provider answers for the agents: `AGENT_PROVIDER` and whether an OpenAI key
// is set decide it, once, at start-up.
import { ConfigError } from "@chorus/platform";
import type { RateLimiter } from "../rate-limit/index.ts";
import { instantProvider } from "./instant/index.ts";
import { localProvider } from "./local/provider.ts";
import { openAiProvider, type OpenAiDeps, type OpenAiSettings } from "./openai/index.ts";
import type { AgentProvider } from "./provider.ts";

// `bench` answers at once (or after BENCH_AGENT_DELAY_MS) without NLP: for `npm run bench` only.
export const PROVIDER_SETTINGS = ["auto", "local", "openai", "bench"] as const;
export type ProviderSetting = (typeof PROVIDER_SETTINGS)[number];
export type ProviderKind = Exclude<ProviderSetting, "auto">;

/** `auto` means OpenAI when a key is set, else the offline models. */
export function resolveProviderKind(setting: ProviderSetting, hasOpenAiKey: boolean): ProviderKind {
  return setting === "auto" ? (hasOpenAiKey ? "openai" : "local") : setting;
}

// Servers of one's own (vLLM, Ollama, LM Studio) take any key; the SDK insists on one.
const KEY_FOR_KEYLESS_SERVERS = "not-needed";

export type ProviderSelection = {
  setting: ProviderSetting;
  openAiApiKey?: string | undefined;
  /** Everything the openai provider needs but the key; defaults suit OpenAI's own API. */
  openAi?: Omit<OpenAiSettings, "apiKey">;
  limiter?: RateLimiter;
  onRetry?: OpenAiDeps["onRetry"];
  /** The bench provider's fixed answer time, ms. */
  benchDelayMs?: number;
};

export const DEFAULT_OPENAI_SETTINGS: Omit<OpenAiSettings, "apiKey"> = {
  model: "gpt-4o-mini",
  timeoutMs: 60_000,
  retry: { retries: 3, minDelayMs: 1_000, maxDelayMs: 30_000 },
  maxInputTokens: 100_000,
};

/** Builds the chosen provider; throws ConfigError when it cannot be built. */
export function selectProvider(selection: ProviderSelection): AgentProvider {
  const kind = resolveProviderKind(selection.setting, Boolean(selection.openAiApiKey));
  switch (kind) {
    case "local":
      return localProvider();
    case "bench":
      return instantProvider({ delayMs: selection.benchDelayMs ?? 0 });
    case "openai": {
      const settings = selection.openAi ?? DEFAULT_OPENAI_SETTINGS;
      const apiKey = selection.openAiApiKey || (settings.baseURL ? KEY_FOR_KEYLESS_SERVERS : undefined);
      if (!apiKey) {
        throw new ConfigError(
          `AGENT_PROVIDER=${selection.setting} chose openai, but OPENAI_API_KEY is not set (nor OPENAI_BASE_URL, for a server that needs no key); ` +
            "set one, or AGENT_PROVIDER=local to use the offline models",
        );
      }
      return openAiProvider({ ...settings, apiKey }, { limiter: selection.limiter, onRetry: selection.onRetry });
    }
    default: {
      const unknown: never = kind;
      throw new ConfigError(`unknown provider ${String(unknown)}`);
    }
  }
}
