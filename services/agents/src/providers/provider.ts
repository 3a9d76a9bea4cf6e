// The contract between the agents service and whatever answers for an agent (the
// offline `local` NLP, OpenAI, …): one call per task, and typed errors that say
// whether trying the task again could help.
import type { AgentId, AgentTask, TokenUsage } from "@chorus/contracts";

/** Earlier agents' outputs in sequential mode, by agent (empty in parallel mode). */
export type AgentContext = AgentTask["data"]["context"];

export type AnalyzeRequest = {
  agent: AgentId;
  text: string;
  context: AgentContext;
  /** Fires at the task's deadline; a provider should give up then (the caller stops waiting anyway). */
  signal: AbortSignal;
};

export type AnalyzeResult = {
  /** Checked against the agent's schema by the caller; a mismatch is recorded as `invalid_output`. */
  output: unknown;
  /** Token counts when the provider bills by tokens, else null. */
  usage: TokenUsage | null;
  /** The model that actually answered (may differ from `modelFor` after a fallback). */
  model: string;
};

export type AgentProvider = {
  /** Recorded on every agent event: "local", "openai", … */
  readonly name: string;
  /** The model this provider will use for an agent, recorded when the agent starts. */
  modelFor(agent: AgentId): string;
  analyze(request: AnalyzeRequest): Promise<AnalyzeResult>;
  /** Readiness: resolves when the provider can answer now, rejects with the reason otherwise. */
  check(): Promise<void>;
  /** Optional one-time start-up work (loading models) so the first task is not slow. */
  prepare?(): Promise<void>;
};

export type ProviderErrorOptions = {
  /**
   * Machine-readable reason, recorded as the AgentFailed error code. Suggested:
   * "rate_limited", "unavailable", "timeout", "refused", "bad_request", "auth", "provider_error".
   */
  code: string;
  /** True: the task is redelivered later. False: AgentFailed is recorded at once. */
  retryable: boolean;
  /** The provider's own hint (e.g. Retry-After) for when to try again. */
  retryAfterMs?: number;
  /** Tokens the failed work used all the same (calls whose answers were refused, say), so they are recorded. */
  usage?: TokenUsage | null;
  /** The model that answered, when it differs from `modelFor`. */
  model?: string;
  cause?: unknown;
};

export class ProviderError extends Error {
  override name = "ProviderError";
  readonly code: string;
  readonly retryable: boolean;
  readonly retryAfterMs: number | null;
  readonly usage: TokenUsage | null;
  readonly model: string | null;
  constructor(message: string, options: ProviderErrorOptions) {
    super(message, { cause: options.cause });
    this.code = options.code;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs ?? null;
    this.usage = options.usage ?? null;
    this.model = options.model ?? null;
  }
}
