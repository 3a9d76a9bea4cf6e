// The provider the configuration asks for, with what it needs around it: the OpenAI
// settings taken from the environment's names and, for OpenAI only, the rate limit shared
// by every replica through a NATS KV bucket.
import type { Topology } from "@chorus/contracts";
import type { JetStreamClient, Logger } from "@chorus/platform";
import { openAiRateLimits, type AgentsConfig } from "../config.ts";
import { kvRateLimiter, rateLimitBucket, rateLimitKey, withSlots } from "../rate-limit/index.ts";
import type { AgentProvider } from "./provider.ts";
import { resolveProviderKind, selectProvider } from "./select.ts";

export type ConfiguredProviderDeps = {
  js: JetStreamClient;
  topology: Topology;
  logger: Logger;
  /** Runs a step that needs NATS, retried while NATS is unavailable (ServiceContext.startStep). */
  startStep<T>(step: string, run: () => Promise<T>): Promise<T>;
};

/** Builds the configured provider; a setting it cannot honour (openai with no key) is a ConfigError. */
export async function configuredProvider(config: AgentsConfig, deps: ConfiguredProviderDeps): Promise<AgentProvider> {
  const { js, topology, logger } = deps;
  const openAi = {
    baseURL: config.OPENAI_BASE_URL,
    model: config.OPENAI_MODEL,
    models: {
      ...(config.OPENAI_MODEL_SUMMARIZER ? { summarizer: config.OPENAI_MODEL_SUMMARIZER } : {}),
      ...(config.OPENAI_MODEL_SENTIMENT ? { sentiment: config.OPENAI_MODEL_SENTIMENT } : {}),
      ...(config.OPENAI_MODEL_ENTITY_EXTRACTOR ? { entity_extractor: config.OPENAI_MODEL_ENTITY_EXTRACTOR } : {}),
    },
    timeoutMs: config.OPENAI_TIMEOUT_MS,
    retry: { retries: config.OPENAI_MAX_RETRIES, minDelayMs: config.OPENAI_RETRY_MIN_MS, maxDelayMs: config.OPENAI_RETRY_MAX_MS },
    maxInputTokens: config.OPENAI_MAX_INPUT_TOKENS,
    checkCacheMs: config.PROVIDER_CHECK_INTERVAL_MS,
  };
  // The shared limit lives in NATS, so it is only opened when OpenAI is the provider (and has a limit).
  const limits = openAiRateLimits(config);
  const limiter =
    resolveProviderKind(config.AGENT_PROVIDER, Boolean(config.OPENAI_API_KEY)) === "openai"
      ? withSlots(
          config.OPENAI_MAX_CONCURRENCY,
          await deps.startStep("opening the rate-limit bucket", () =>
            kvRateLimiter({
              js,
              bucket: rateLimitBucket(topology),
              key: rateLimitKey(config.OPENAI_BASE_URL),
              limits: { requestsPerWindow: limits.requestsPerMinute, tokensPerWindow: limits.tokensPerMinute, windowMs: config.OPENAI_RATE_WINDOW_MS },
            }),
          ),
        )
      : undefined;
  const provider = selectProvider({
    setting: config.AGENT_PROVIDER,
    openAiApiKey: config.OPENAI_API_KEY,
    openAi,
    limiter,
    benchDelayMs: config.BENCH_AGENT_DELAY_MS,
    onRetry: (n) => logger.warn({ agent: n.agent, attempt: n.attempt, code: n.error.code, error: n.error.message, retry_in_ms: n.delayMs }, "provider call failed; retrying"),
  });
  logger.info(
    {
      provider: provider.name,
      agent_provider: config.AGENT_PROVIDER,
      agents: config.AGENT,
      models: Object.fromEntries(config.AGENT.map((a) => [a, provider.modelFor(a)])),
      ...(provider.name === "openai"
        ? {
            base_url: config.OPENAI_BASE_URL ?? "https://api.openai.com/v1",
            rpm_limit: limits.requestsPerMinute ?? "none",
            tpm_limit: limits.tokensPerMinute ?? "none",
            max_concurrency: config.OPENAI_MAX_CONCURRENCY,
          }
        : {}),
    },
    `agents starting with the ${provider.name} provider`,
  );
  return provider;
}
