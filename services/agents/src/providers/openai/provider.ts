// The `openai` provider: each agent's job as structured chat completions on the official
// SDK, against OpenAI or any OpenAI-compatible server (OPENAI_BASE_URL). Texts longer
// than the model's input budget are cut on sentence boundaries and map-reduced.
import OpenAI from "openai";
import type { z } from "zod";
import type { AgentId, EntitiesOutput, Entity, SentimentOutput, SummaryOutput, TokenUsage } from "@chorus/contracts";
import { unlimited, type RateLimiter } from "../../rate-limit/index.ts";
import { readText } from "../local/document.ts";
import { ProviderError, type AgentContext, type AgentProvider, type AnalyzeRequest, type AnalyzeResult } from "../provider.ts";
import { EntitiesAnswer, SentimentAnswer, SummaryAnswer } from "./answers.ts";
import { structuredCompletion, type ChatDeps } from "./chat.ts";
import { classifyOpenAiError } from "./errors.ts";
import { addUsage, aggregateSentiment, CHARS_PER_TOKEN, chunkText, mergeEntities, placeEntities, type Chunk } from "./long-text.ts";
import { messagesFor, partialSummariesText, type Task } from "./prompts.ts";
import type { RetryNotice, RetrySettings } from "./retry.ts";

export type OpenAiSettings = {
  apiKey: string;
  /** An OpenAI-compatible server's base URL (…/v1); OpenAI's own when absent. */
  baseURL?: string | undefined;
  /** The default model, and per-agent overrides. */
  model: string;
  models?: Partial<Record<AgentId, string>>;
  /** One HTTP request's timeout, ms. */
  timeoutMs: number;
  retry: RetrySettings;
  /** A chunk's size for long texts, in (estimated) tokens. */
  maxInputTokens: number;
  /** Completion tokens assumed before a call for the tokens-per-minute limit. */
  expectedCompletionTokens?: number;
  /** How long a health check's result is reused, ms. */
  checkCacheMs?: number;
};

export type OpenAiDeps = {
  limiter?: RateLimiter;
  onRetry?: (notice: RetryNotice & { agent: AgentId | null }) => void;
  now?: () => number;
};

type Answer<T> = { value: T; usage: TokenUsage | null; model: string };

export function openAiProvider(settings: OpenAiSettings, deps: OpenAiDeps = {}): AgentProvider {
  // The SDK's own retries are off: p-retry does them, visibly and with our settings.
  const client = new OpenAI({ apiKey: settings.apiKey, baseURL: settings.baseURL, timeout: settings.timeoutMs, maxRetries: 0 });
  const now = deps.now ?? Date.now;
  const maxChars = Math.max(200, settings.maxInputTokens * CHARS_PER_TOKEN);
  const modelFor = (agent: AgentId) => settings.models?.[agent] ?? settings.model;
  const chatDeps = (agent: AgentId | null): ChatDeps => ({
    client,
    limiter: deps.limiter ?? unlimited,
    retry: settings.retry,
    expectedCompletionTokens: settings.expectedCompletionTokens ?? 300,
    onRetry: deps.onRetry ? (n) => deps.onRetry?.({ ...n, agent }) : undefined,
  });

  function ask<S extends z.ZodType>(agent: AgentId, task: Task, schema: S, text: string, context: AgentContext, signal: AbortSignal): Promise<Answer<z.infer<S>>> {
    return structuredCompletion(chatDeps(agent), {
      model: modelFor(agent),
      messages: messagesFor(task, text, context),
      schema,
      schemaName: task.kind === "analyze" ? task.agent : task.kind,
      signal,
    });
  }

  /** Runs `step` on every chunk in order (bounded: one call of this task at a time), summing usage. */
  async function map<T>(chunks: Chunk[], step: (chunk: Chunk) => Promise<Answer<T>>): Promise<{ values: T[]; usage: TokenUsage | null; model: string }> {
    const values: T[] = [];
    let usage: TokenUsage | null = null;
    let model = "";
    for (const chunk of chunks) {
      try {
        const a = await step(chunk);
        values.push(a.value);
        usage = addUsage(usage, a.usage);
        model = a.model;
      } catch (err) {
        // The tokens of the chunks already done were spent: keep them on the failure.
        if (err instanceof ProviderError && usage) {
          throw new ProviderError(err.message, { code: err.code, retryable: err.retryable, retryAfterMs: err.retryAfterMs ?? undefined, usage: addUsage(usage, err.usage), model: err.model ?? model, cause: err });
        }
        throw err;
      }
    }
    return { values, usage, model };
  }

  async function summarize(text: string, context: AgentContext, signal: AbortSignal): Promise<Answer<SummaryOutput>> {
    const mapped = await map(chunksOf(text), (c) => ask("summarizer", { kind: "analyze", agent: "summarizer" }, SummaryAnswer, c.text, context, signal));
    let parts = mapped.values;
    let usage = mapped.usage;
    let model = mapped.model;
    // Reduce: combine partial summaries, in groups that fit, until one is left.
    while (parts.length > 1) {
      const groups = groupToFit(parts, maxChars);
      const combined = await map(groups.map((g) => ({ start: 0, end: 0, text: partialSummariesText(g) })), (c) =>
        ask("summarizer", { kind: "combine_summaries" }, SummaryAnswer, c.text, {}, signal),
      );
      parts = combined.values;
      usage = addUsage(usage, combined.usage);
      model = combined.model;
    }
    return { value: parts[0] ?? { summary: "", key_points: [] }, usage, model };
  }

  async function sentiment(text: string, context: AgentContext, signal: AbortSignal): Promise<Answer<SentimentOutput>> {
    const chunks = chunksOf(text);
    const mapped = await map(chunks, (c) => ask("sentiment", { kind: "analyze", agent: "sentiment" }, SentimentAnswer, c.text, context, signal));
    const value = mapped.values.length === 1 ? mapped.values[0]! : aggregateSentiment(mapped.values.map((s, i) => ({ sentiment: s, weight: chunks[i]!.text.length })));
    return { value, usage: mapped.usage, model: mapped.model };
  }

  async function entities(text: string, context: AgentContext, signal: AbortSignal): Promise<Answer<EntitiesOutput>> {
    const mapped = await map(chunksOf(text), async (c) => {
      const a = await ask("entity_extractor", { kind: "analyze", agent: "entity_extractor" }, EntitiesAnswer, c.text, context, signal);
      return { ...a, value: placeEntities(a.value.entities, c) };
    });
    return { value: mergeEntities(mapped.values as Entity[][]), usage: mapped.usage, model: mapped.model };
  }

  function chunksOf(text: string): Chunk[] {
    if (text.length <= maxChars) return [{ start: 0, end: text.length, text }];
    return chunkText(text, readText(text).sentences, maxChars);
  }

  let checked: { at: number; error: string | null } | null = null;
  let checking: Promise<void> | null = null;
  const cacheMs = settings.checkCacheMs ?? 30_000;

  return {
    name: "openai",
    modelFor,
    async analyze(request: AnalyzeRequest): Promise<AnalyzeResult> {
      const { agent, text, context, signal } = request;
      let answer: Answer<unknown>;
      switch (agent) {
        case "summarizer":
          answer = await summarize(text, context, signal);
          break;
        case "sentiment":
          answer = await sentiment(text, context, signal);
          break;
        case "entity_extractor":
          answer = await entities(text, context, signal);
          break;
        default: {
          const unknown: never = agent;
          throw new ProviderError(`no openai prompt for agent ${String(unknown)}`, { code: "bad_request", retryable: false });
        }
      }
      return { output: answer.value, usage: answer.usage, model: answer.model || modelFor(agent) };
    },
    // Lists the models (no completion, no tokens) at most once per cacheMs, however often probes ask.
    check() {
      if (checked && now() - checked.at < cacheMs) {
        return checked.error === null ? Promise.resolve() : Promise.reject(new Error(checked.error));
      }
      checking ??= client.models
        .list({ timeout: Math.min(settings.timeoutMs, 5_000) })
        .then(
          () => {
            checked = { at: now(), error: null };
          },
          (err: unknown) => {
            checked = { at: now(), error: classifyOpenAiError(err, now()).message };
          },
        )
        .finally(() => {
          checking = null;
        });
      return checking.then(() => (checked?.error ? Promise.reject(new Error(checked.error)) : undefined));
    },
  };
}

/** Partial summaries in consecutive groups whose combined text fits `maxChars` (at least two per group, or it never ends). */
function groupToFit(parts: SummaryOutput[], maxChars: number): SummaryOutput[][] {
  const groups: SummaryOutput[][] = [];
  let current: SummaryOutput[] = [];
  for (const p of parts) {
    if (current.length >= 2 && partialSummariesText([...current, p]).length > maxChars) {
      groups.push(current);
      current = [];
    }
    current.push(p);
  }
  if (current.length > 0) groups.push(current);
  // A lone last part is carried into the previous group instead of a call of its own.
  if (groups.length > 1 && groups.at(-1)!.length === 1) groups.at(-2)!.push(...groups.pop()!);
  return groups;
}
