// The agent's decisions, as pure functions: whether a task is still worth running, and
// what a provider's answer (or error, or silence until the deadline) becomes — an
// AgentCompleted or AgentFailed event, or a redelivery later.
import {
  parseAgentOutput,
  toStorableText,
  withStorableText,
  type AgentError,
  type AgentOutcomeEvent,
  type AgentTask,
  type EventOf,
} from "@chorus/contracts";
import { ProviderError, type AnalyzeResult } from "./providers/provider.ts";

/** How the provider call ended. */
export type ProviderAttempt =
  | { kind: "answered"; result: AnalyzeResult }
  | { kind: "threw"; error: unknown }
  | { kind: "timed_out" };

/** Redelivery delays for retryable provider errors: doubling from `baseMs`, capped at `maxMs`, with jitter. */
export type RetryPolicy = { baseMs: number; maxMs: number };
export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 1_000, maxMs: 30_000 };

/** The new event's own envelope fields; everything else is copied from the task. */
export type NewEnvelope = { id: string; occurredAt: string };

export type TaskOutcome =
  /** `deadLetter`: the task failed on every delivery it had; the reason it is dead-lettered with. */
  | { kind: "record"; event: AgentOutcomeEvent; deadLetter?: string }
  | { kind: "retry"; retryInMs: number; error: AgentError };

/** A task past its deadline has already been timed out by the orchestrator: running it is wasted work. */
export function isPastDeadline(task: AgentTask, nowMs: number): boolean {
  return nowMs > Date.parse(task.data.deadline_at);
}

function envelopeFrom(task: AgentTask, e: NewEnvelope) {
  return {
    id: e.id,
    version: 1 as const,
    request_id: task.request_id,
    tenant_id: task.tenant_id,
    occurred_at: e.occurredAt,
    correlation_id: task.correlation_id,
  };
}

export function startedEvent(
  task: AgentTask,
  run: { provider: string; model: string; delivery: number },
  e: NewEnvelope,
): EventOf<"AgentStarted"> {
  return {
    ...envelopeFrom(task, e),
    type: "AgentStarted",
    data: { agent: task.data.agent, provider: run.provider, model: run.model, delivery: run.delivery },
  };
}

type ErrorReading = AgentError & {
  retryable: boolean;
  retryAfterMs: number | null;
  usage: AnalyzeResult["usage"];
  model: string | null;
};

/** What an error thrown by a provider means; anything but a ProviderError is a final failure. */
export function readProviderError(err: unknown): ErrorReading {
  if (err instanceof ProviderError) {
    return { code: err.code, message: err.message, retryable: err.retryable, retryAfterMs: err.retryAfterMs, usage: err.usage, model: err.model };
  }
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return { code: "provider_error", message, retryable: false, retryAfterMs: null, usage: null, model: null };
}

/**
 * Delay before redelivery number `deliveryCount + 1`: the provider's hint if it gave one,
 * else exponential backoff with jitter (so replicas that failed together do not retry together).
 */
export function retryDelayMs(deliveryCount: number, policy: RetryPolicy, random: number, hintMs: number | null = null): number {
  if (hintMs !== null) return Math.min(policy.maxMs, Math.max(0, Math.round(hintMs)));
  const backoff = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, deliveryCount - 1));
  return Math.round(backoff * (0.5 + random / 2));
}

export type OutcomeInput = {
  task: AgentTask;
  /** The provider's name and the model it was asked to use. */
  provider: { name: string; model: string };
  attempt: ProviderAttempt;
  /** When the run began (ISO): the outcome's `started_at`, whether or not an AgentStarted was recorded. */
  startedAt: string;
  durationMs: number;
  delivery: { count: number; max: number };
  retry: RetryPolicy;
  /** In [0, 1): the jitter of a retry delay. */
  random: number;
  envelope: NewEnvelope;
};

function zodIssues(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string {
  return issues.map((i) => `${i.path.map(String).join(".") || "(output)"}: ${i.message}`).join("; ");
}

export function decideOutcome(input: OutcomeInput): TaskOutcome {
  const { task, provider, attempt } = input;
  const agent = task.data.agent;
  const durationMs = Math.max(0, Math.round(input.durationMs));
  const failed = (error: AgentError, model: string, usage: AnalyzeResult["usage"] = null): Extract<TaskOutcome, { kind: "record" }> => ({
    kind: "record",
    event: {
      ...envelopeFrom(task, input.envelope),
      type: "AgentFailed",
      // A provider's error text and model name are copied into the event: made storable like its output.
      data: { agent, provider: provider.name, model: toStorableText(model), error: withStorableText(error), duration_ms: durationMs, usage, started_at: input.startedAt },
    },
  });

  switch (attempt.kind) {
    case "answered": {
      const { result } = attempt;
      // A model may answer with characters no store accepts (NUL, a lone surrogate): replaced, not refused.
      const parsed = parseAgentOutput(agent, withStorableText(result.output));
      if (!parsed.success) {
        return failed(
          { code: "invalid_output", message: `${provider.name} returned ${agent} output that does not match its schema: ${zodIssues(parsed.error.issues)}` },
          result.model,
          result.usage,
        );
      }
      return {
        kind: "record",
        event: {
          ...envelopeFrom(task, input.envelope),
          type: "AgentCompleted",
          data: {
            agent,
            provider: provider.name,
            model: toStorableText(result.model),
            output: parsed.data,
            duration_ms: durationMs,
            usage: result.usage,
            started_at: input.startedAt,
          },
        },
      };
    }
    case "timed_out":
      return failed(
        { code: "timeout", message: `no answer from ${provider.name} before the deadline ${task.data.deadline_at}` },
        provider.model,
      );
    case "threw": {
      const reading = readProviderError(attempt.error);
      const error = { code: reading.code, message: reading.message };
      const model = reading.model ?? provider.model;
      if (!reading.retryable) return failed(error, model, reading.usage);
      if (input.delivery.count >= input.delivery.max) {
        const message = `${error.message} (gave up after ${input.delivery.count} deliveries)`;
        return { ...failed({ code: error.code, message }, model, reading.usage), deadLetter: `${error.code}: ${message}` };
      }
      return { kind: "retry", retryInMs: retryDelayMs(input.delivery.count, input.retry, input.random, reading.retryAfterMs), error };
    }
    default: {
      const unknown: never = attempt;
      throw new Error(`unknown provider attempt ${JSON.stringify(unknown)}`);
    }
  }
}
