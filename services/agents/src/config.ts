// The agents service's configuration: which agents run here, which provider answers, the
// OpenAI-compatible client's limits, and who may call the gRPC Analyze. Validated once at
// start (main.ts hands it process.env).
import { z } from "zod";
import { DEFAULT_MAX_TEXT_LENGTH, DEFAULT_PROVIDER_CHECK_INTERVAL_MS, MIN_TEXT_LENGTH } from "@chorus/contracts";
import { BaseConfig, envInt } from "@chorus/platform";
import { parseAgentSelection } from "./agent-selection.ts";
import { MIN_AGENT_GRPC_TOKEN_LENGTH } from "./grpc/call-credential.ts";
import { PROVIDER_SETTINGS } from "./providers/select.ts";

export const DEFAULT_OPENAI_RPM_LIMIT = 500;
export const DEFAULT_OPENAI_TPM_LIMIT = 200_000;

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
   * Requests and tokens per minute for all replicas together. The defaults are OpenAI's
   * published usage-tier-1 limits for gpt-4o-mini, the lowest a paying account gets, so a
   * new deployment neither draws 429s nor spends faster than such an account can; raise
   * them to your own tier's (or your server's) limits.
   */
  OPENAI_RPM_LIMIT: envInt(1, 10_000_000).default(DEFAULT_OPENAI_RPM_LIMIT),
  OPENAI_TPM_LIMIT: envInt(1, 1_000_000_000).default(DEFAULT_OPENAI_TPM_LIMIT),
  /** The limits' window; a minute, shorter only for tests and benchmarks. */
  OPENAI_RATE_WINDOW_MS: envInt(100, 3600_000).default(60_000),
  /** Provider calls in flight at once in this process. */
  OPENAI_MAX_CONCURRENCY: envInt(1, 1_000).default(8),
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
  AGENT_CONCURRENCY: envInt(1, 256).default(4),
  AGENT_ACK_WAIT_MS: envInt(1_000, 12 * 3600_000).default(30_000),
  AGENT_MAX_DELIVER: envInt(1, 100).default(5),
  /** AGENT_PROVIDER=bench only: how long each answer takes, standing in for a model's latency. */
  BENCH_AGENT_DELAY_MS: envInt(0, 600_000).default(0),
});

export type AgentsConfig = z.infer<typeof AgentsConfig>;
