// The agents service's configuration: which agents run here, which provider answers, the
// OpenAI-compatible client's limits, and who may call the gRPC Analyze. Validated once at
// start (main.ts or services/run.ts hands it the environment).
import { z } from "zod";
import { DEFAULT_MAX_TEXT_LENGTH, DEFAULT_PROVIDER_CHECK_INTERVAL_MS, MIN_TEXT_LENGTH } from "@chorus/contracts";
import { BaseConfig, envInt } from "@chorus/platform";
import { parseAgentSelection } from "./agent-selection.ts";
import { MIN_AGENT_GRPC_TOKEN_LENGTH } from "./grpc/call-credential.ts";
import { PROVIDER_SETTINGS } from "./providers/select.ts";
import { DEFAULT_STARTED_AFTER_MS } from "./slow-start.ts";

/**
 * OpenAI's published usage-tier-1 limits for gpt-4o-mini, the lowest a paying account
 * gets: the shared budget when the agents call OpenAI itself and no limit is set, so a new
 * deployment neither draws 429s nor spends faster than such an account can.
 */
export const DEFAULT_OPENAI_RPM_LIMIT = 500;
export const DEFAULT_OPENAI_TPM_LIMIT = 200_000;

/** Task slots per agent for the providers that spend CPU here (local, bench): about the cores a replica has. */
export const DEFAULT_CPU_AGENT_CONCURRENCY = 4;

const OPENAI_HOST = "api.openai.com";

export const AgentsConfig = BaseConfig.extend({
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
  /**
   * Requests and tokens per minute for all replicas together; 0 is no limit. Unset: OpenAI's
   * tier-1 limits when the agents call OpenAI itself, none for any other server (whose own
   * 429s and Retry-After pace the calls): see openAiRateLimits.
   */
  OPENAI_RPM_LIMIT: envInt(0, 10_000_000).optional(),
  OPENAI_TPM_LIMIT: envInt(0, 1_000_000_000).optional(),
  /** The limits' window; a minute, shorter only for tests and benchmarks. */
  OPENAI_RATE_WINDOW_MS: envInt(100, 3600_000).default(60_000),
  /**
   * Provider calls in flight at once in this process. Model calls are I/O (a waiting
   * socket and its task: 0.6–0.8 MiB of RSS each in the bench's model-bound phase), so
   * what paces them is the shared rate limit and the server's back-pressure; this only
   * bounds memory.
   */
  OPENAI_MAX_CONCURRENCY: envInt(1, 10_000).default(256),
  /** Chunk size for long texts, in estimated tokens (~4 characters each). */
  OPENAI_MAX_INPUT_TOKENS: envInt(50, 2_000_000).default(100_000),
  /** How often the provider is checked (for /readyz, reused in between) and the result reported for /api/v1/health. */
  PROVIDER_CHECK_INTERVAL_MS: envInt(100, 600_000).default(DEFAULT_PROVIDER_CHECK_INTERVAL_MS),
  GRPC_PORT: envInt(0, 65_535).default(50_052),
  /** The shared credential of the gRPC Analyze (`authorization: Bearer <token>`); unset: Analyze refuses every call. */
  AGENT_GRPC_TOKEN: z
    .string()
    .min(MIN_AGENT_GRPC_TOKEN_LENGTH, `must be at least ${MIN_AGENT_GRPC_TOKEN_LENGTH} characters (e.g. openssl rand -hex 32)`)
    .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces, as it is sent in gRPC metadata")
    .optional(),
  /** The gRPC Analyze's cap on text, in Unicode code points: the gateway's variable, with its bounds and default. */
  MAX_TEXT_LENGTH: envInt(MIN_TEXT_LENGTH, 1_000_000).default(DEFAULT_MAX_TEXT_LENGTH),
  /** Tasks of each agent in flight in this process; unset: see agentConcurrency. */
  AGENT_CONCURRENCY: envInt(1, 10_000).optional(),
  AGENT_ACK_WAIT_MS: envInt(1_000, 12 * 3600_000).default(30_000),
  AGENT_MAX_DELIVER: envInt(1, 100).default(5),
  /**
   * AgentStarted is recorded only for a run still going this long after it began (ms); 0
   * records every start. At most a minute: a run with no start recorded may have its task
   * resent by the orchestrator, which only JetStream's duplicate window (minutes) drops.
   */
  AGENT_STARTED_AFTER_MS: envInt(0, 60_000).default(DEFAULT_STARTED_AFTER_MS),
  /** AGENT_PROVIDER=bench only: how long each answer takes, standing in for a model's latency. */
  BENCH_AGENT_DELAY_MS: envInt(0, 600_000).default(0),
});

export type AgentsConfig = z.infer<typeof AgentsConfig>;

/** The shared budget the openai provider keeps to; null for no limit of that kind. */
export function openAiRateLimits(config: Pick<AgentsConfig, "OPENAI_BASE_URL" | "OPENAI_RPM_LIMIT" | "OPENAI_TPM_LIMIT">): {
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
} {
  const callsOpenAi = config.OPENAI_BASE_URL === undefined || new URL(config.OPENAI_BASE_URL).hostname === OPENAI_HOST;
  const limit = (set: number | undefined, openAiDefault: number) => {
    if (set !== undefined) return set === 0 ? null : set;
    return callsOpenAi ? openAiDefault : null;
  };
  return { requestsPerMinute: limit(config.OPENAI_RPM_LIMIT, DEFAULT_OPENAI_RPM_LIMIT), tokensPerMinute: limit(config.OPENAI_TPM_LIMIT, DEFAULT_OPENAI_TPM_LIMIT) };
}

/**
 * Task slots per agent: AGENT_CONCURRENCY when set; else, for a model behind HTTP, as many
 * as the calls this process may have in flight (a task waiting for a call slot costs
 * little, and any agent may use the slots the others leave), and for CPU-bound providers
 * about the cores a replica has.
 */
export function agentConcurrency(config: Pick<AgentsConfig, "AGENT_CONCURRENCY" | "OPENAI_MAX_CONCURRENCY">, providerName: string): number {
  if (config.AGENT_CONCURRENCY !== undefined) return config.AGENT_CONCURRENCY;
  return providerName === "openai" ? config.OPENAI_MAX_CONCURRENCY : DEFAULT_CPU_AGENT_CONCURRENCY;
}
