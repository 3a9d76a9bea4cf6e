// Entry of the agents service: reads its configuration, chooses the provider, runs the
// selected agents' task consumers, the /livez and /readyz probes and the provider-health
// reports (for the gateway's /api/v1/health) until SIGTERM.
import type { Server } from "node:http";
import { hostname } from "node:os";
import { z } from "zod";
import { DEFAULT_PROVIDER_CHECK_INTERVAL_MS } from "@chorus/contracts";
import { BaseConfig, bootService, ConfigError, envInt, exitWithConfigError, metricsRoutes, natsCheck, observeConsumerLag, onShutdown } from "@chorus/platform";
import { parseAgentSelection } from "./agent-selection.ts";
import type { AgentProvider } from "./providers/provider.ts";
import { PROVIDER_SETTINGS, resolveProviderKind, selectProvider } from "./providers/select.ts";
import { kvRateLimiter, rateLimitBucket, rateLimitKey, withSlots } from "./rate-limit/index.ts";
import { startAgents, type Agents } from "./start-agents.ts";
import { startGrpcServer, type AgentGrpcServer } from "./grpc/index.ts";
import { startProviderHealthReports, type ProviderHealthReporter } from "./provider-health/publisher.ts";

const AgentsConfig = BaseConfig.extend({
  PORT: envInt(1, 65_535).default(8082),
  /** "all", one agent, or a comma list. */
  AGENT: z
    .string()
    .default("all")
    .transform((value, ctx) => {
      const selection = parseAgentSelection(value);
      if (selection.ok) return selection.agents;
      ctx.addIssue({ code: "custom", message: selection.message });
      return z.NEVER;
    }),
  AGENT_PROVIDER: z.string().trim().toLowerCase().pipe(z.enum(PROVIDER_SETTINGS)).default("auto"),
  OPENAI_API_KEY: z.string().optional(),
  /** Any OpenAI-compatible server (vLLM, Ollama, LM Studio): its base URL, …/v1. */
  OPENAI_BASE_URL: z.url().optional(),
  OPENAI_MODEL: z.string().min(1).default("gpt-4o-mini"),
  OPENAI_MODEL_SUMMARIZER: z.string().min(1).optional(),
  OPENAI_MODEL_SENTIMENT: z.string().min(1).optional(),
  OPENAI_MODEL_ENTITY_EXTRACTOR: z.string().min(1).optional(),
  /** One HTTP request's timeout. */
  OPENAI_TIMEOUT_MS: envInt(100, 3600_000).default(60_000),
  /** Retries of one call (429, 5xx, connection errors, timeouts) before the task is redelivered. */
  OPENAI_MAX_RETRIES: envInt(0, 20).default(3),
  OPENAI_RETRY_MIN_MS: envInt(1, 600_000).default(1_000),
  OPENAI_RETRY_MAX_MS: envInt(1, 600_000).default(30_000),
  /** Requests and tokens per minute for all replicas together (unset: no limit). */
  OPENAI_RPM_LIMIT: envInt(1, 10_000_000).optional(),
  OPENAI_TPM_LIMIT: envInt(1, 1_000_000_000).optional(),
  /** The limits' window; a minute, shorter only for tests and benchmarks. */
  OPENAI_RATE_WINDOW_MS: envInt(100, 3600_000).default(60_000),
  /** Provider calls in flight at once in this process. */
  OPENAI_MAX_CONCURRENCY: envInt(1, 1_000).default(8),
  /** Chunk size for long texts, in estimated tokens (~4 characters each). */
  OPENAI_MAX_INPUT_TOKENS: envInt(50, 2_000_000).default(100_000),
  /** How often the provider is checked (for /readyz, reused in between) and the result reported for /api/v1/health. */
  PROVIDER_CHECK_INTERVAL_MS: envInt(100, 600_000).default(DEFAULT_PROVIDER_CHECK_INTERVAL_MS),
  GRPC_PORT: envInt(0, 65_535).default(50_052),
  AGENT_CONCURRENCY: envInt(1, 256).default(4),
  AGENT_ACK_WAIT_MS: envInt(1_000, 12 * 3600_000).default(30_000),
  AGENT_MAX_DELIVER: envInt(1, 100).default(5),
  /** AGENT_PROVIDER=bench only: how long each answer takes, standing in for a model's latency. */
  BENCH_AGENT_DELAY_MS: envInt(0, 600_000).default(0),
});

const { config, logger, topology, nc, js, jsm, probes, startStep } = await bootService("agents", AgentsConfig, process.env);

const providerKind = resolveProviderKind(config.AGENT_PROVIDER, Boolean(config.OPENAI_API_KEY));
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
// The shared limit lives in NATS, so it is only opened when OpenAI is the provider.
const limiter =
  providerKind === "openai"
    ? withSlots(
        config.OPENAI_MAX_CONCURRENCY,
        await startStep("opening the rate-limit bucket", () =>
          kvRateLimiter({
            js,
            bucket: rateLimitBucket(topology),
            key: rateLimitKey(config.OPENAI_BASE_URL),
            limits: { requestsPerWindow: config.OPENAI_RPM_LIMIT ?? null, tokensPerWindow: config.OPENAI_TPM_LIMIT ?? null, windowMs: config.OPENAI_RATE_WINDOW_MS },
          }),
        ),
      )
    : undefined;

let provider: AgentProvider;
try {
  provider = selectProvider({
    setting: config.AGENT_PROVIDER,
    openAiApiKey: config.OPENAI_API_KEY,
    openAi,
    limiter,
    benchDelayMs: config.BENCH_AGENT_DELAY_MS,
    onRetry: (n) => logger.warn({ agent: n.agent, attempt: n.attempt, code: n.error.code, error: n.error.message, retry_in_ms: n.delayMs }, "provider call failed; retrying"),
  });
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  await nc.close();
  exitWithConfigError("agents", err); // EX_CONFIG, as for any other invalid configuration
}
logger.info(
  {
    provider: provider.name,
    agent_provider: config.AGENT_PROVIDER,
    agents: config.AGENT,
    models: Object.fromEntries(config.AGENT.map((a) => [a, provider.modelFor(a)])),
    ...(provider.name === "openai"
      ? { base_url: config.OPENAI_BASE_URL ?? "https://api.openai.com/v1", rpm_limit: config.OPENAI_RPM_LIMIT ?? null, tpm_limit: config.OPENAI_TPM_LIMIT ?? null }
      : {}),
  },
  `agents starting with the ${provider.name} provider`,
);

let agents: Agents | undefined;
let grpcServer: AgentGrpcServer | undefined;
let healthReports: ProviderHealthReporter | undefined;
// The probes come up first, so /livez answers while the models load and /readyz says why it is not ready yet.
observeConsumerLag({ jsm, topology });
const server: Server = probes.serve({
  routes: metricsRoutes(),
  readiness: {
    nats: natsCheck(nc),
    consumers: () => {
      if (!agents) throw new Error("starting");
      if (!agents.running()) throw new Error("a task consumer stopped");
    },
    provider: () => provider.check(),
  },
});

onShutdown(
  logger,
  [
    { name: "provider health reports", close: () => healthReports?.stop() },
    { name: "grpc server", close: () => grpcServer?.stop() },
    { name: "task consumers", close: () => agents?.stop() },
    { name: "probe server", close: () => new Promise<void>((resolve) => server.close(() => resolve())) },
    // Drain flushes the acks of the tasks that finished while stopping.
    { name: "nats", close: () => nc.drain() },
  ],
  config.SHUTDOWN_TIMEOUT_MS,
);

try {
  agents = await startStep("starting task consumers", () =>
    startAgents({
      js,
      jsm,
      topology,
      logger,
      provider,
      agents: config.AGENT,
      concurrency: config.AGENT_CONCURRENCY,
      ackWaitMs: config.AGENT_ACK_WAIT_MS,
      maxDeliver: config.AGENT_MAX_DELIVER,
    }),
  );
  grpcServer = await startGrpcServer({ port: config.GRPC_PORT, provider, logger });
  // After the models are prepared, so the first check does not wait on them.
  healthReports = startProviderHealthReports({
    js,
    topology,
    provider,
    agents: config.AGENT,
    instance: `${hostname()}:${process.pid}`,
    intervalMs: config.PROVIDER_CHECK_INTERVAL_MS,
    logger,
  });
} catch (err) {
  logger.fatal({ err }, "agents failed to start");
  process.exit(1);
}
logger.info({ port: config.PORT, grpc_port: grpcServer?.port }, "agents ready");
