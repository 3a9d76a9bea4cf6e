// Which provider answers for the agents: `AGENT_PROVIDER` and whether an OpenAI key
// is set decide it, once, at start-up.
import { ConfigError } from "@chorus/platform";
import { localProvider } from "./local/provider.ts";
import type { AgentProvider } from "./provider.ts";

export const PROVIDER_SETTINGS = ["auto", "local", "openai"] as const;
export type ProviderSetting = (typeof PROVIDER_SETTINGS)[number];
export type ProviderKind = Exclude<ProviderSetting, "auto">;

/** `auto` means OpenAI when a key is set, else the offline models. */
export function resolveProviderKind(setting: ProviderSetting, hasOpenAiKey: boolean): ProviderKind {
  return setting === "auto" ? (hasOpenAiKey ? "openai" : "local") : setting;
}

export type ProviderSelection = { setting: ProviderSetting; openAiApiKey?: string | undefined };

/** Builds the chosen provider; throws ConfigError when it cannot be built. */
export function selectProvider(selection: ProviderSelection): AgentProvider {
  const kind = resolveProviderKind(selection.setting, Boolean(selection.openAiApiKey));
  switch (kind) {
    case "local":
      return localProvider();
    case "openai":
      throw new ConfigError(
        `AGENT_PROVIDER=${selection.setting} chose openai, but the openai provider is not available in this build yet; ` +
          "set AGENT_PROVIDER=local (or unset OPENAI_API_KEY) to use the offline models",
      );
    default: {
      const unknown: never = kind;
      throw new ConfigError(`unknown provider ${String(unknown)}`);
    }
  }
}
