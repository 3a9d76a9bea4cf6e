// One structured answer from a chat-completions endpoint: the request goes through the
// shared rate limit and p-retry, the answer is parsed and validated with zod, and an
// answer that does not validate is asked for once more with the validation error.
import type OpenAI from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import type { z } from "zod";
import type { TokenUsage } from "@chorus/contracts";
import type { RateLimiter } from "../../rate-limit/index.ts";
import { ProviderError } from "../provider.ts";
import { classifyOpenAiError } from "./errors.ts";
import { addUsage, CHARS_PER_TOKEN } from "./long-text.ts";
import { correctionMessages, type ChatMessage } from "./prompts.ts";
import { withRetries, type RetryNotice, type RetrySettings } from "./retry.ts";

export type ChatDeps = {
  client: OpenAI;
  limiter: RateLimiter;
  retry: RetrySettings;
  /** Completion tokens assumed before a call, for the tokens-per-minute limit; corrected after. */
  expectedCompletionTokens: number;
  onRetry?: (notice: RetryNotice) => void;
};

export type StructuredRequest<S extends z.ZodType> = {
  model: string;
  messages: ChatMessage[];
  schema: S;
  /** The JSON schema's name in response_format (the agent id, or the reduce step). */
  schemaName: string;
  signal: AbortSignal;
};

export type StructuredAnswer<T> = { value: T; usage: TokenUsage | null; model: string };

type RawAnswer = { content: string | null; refusal: string | null; truncated: boolean; usage: TokenUsage | null; model: string };

function toUsage(u: OpenAI.CompletionUsage | undefined): TokenUsage | null {
  if (!u) return null;
  return { prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens, total_tokens: u.total_tokens };
}

function estimate(messages: ChatMessage[], completion: number): number {
  return Math.ceil(messages.reduce((n, m) => n + m.content.length, 0) / CHARS_PER_TOKEN) + completion;
}

/** One HTTP attempt per p-retry attempt, each taking its own place in the rate limit. */
async function complete(deps: ChatDeps, request: StructuredRequest<z.ZodType>, messages: ChatMessage[]): Promise<RawAnswer> {
  const responseFormat = zodResponseFormat(request.schema, request.schemaName);
  const estimated = estimate(messages, deps.expectedCompletionTokens);
  return withRetries(
    async () => {
      const grant = await deps.limiter.acquire(estimated, request.signal);
      let used = estimated;
      try {
        const completion = await deps.client.chat.completions.create(
          { model: request.model, messages, response_format: responseFormat },
          { signal: request.signal },
        );
        const usage = toUsage(completion.usage);
        if (usage) used = usage.total_tokens;
        const choice = completion.choices[0];
        return {
          content: choice?.message.content ?? null,
          refusal: choice?.message.refusal ?? null,
          truncated: choice?.finish_reason === "length",
          usage,
          model: completion.model || request.model,
        };
      } catch (err) {
        throw classifyOpenAiError(err, Date.now());
      } finally {
        await grant.settle(used).catch(() => undefined);
      }
    },
    deps.retry,
    request.signal,
    deps.onRetry,
  );
}

/** Why an answer is not a valid value of `schema`, or the value. */
function validate<S extends z.ZodType>(schema: S, answer: RawAnswer): { ok: true; value: z.infer<S> } | { ok: false; problem: string } {
  if (answer.truncated) return { ok: false, problem: "the answer was cut off at the token limit" };
  if (answer.content === null || answer.content.trim() === "") return { ok: false, problem: "the answer was empty" };
  let json: unknown;
  try {
    json = JSON.parse(answer.content);
  } catch (err) {
    return { ok: false, problem: `the answer is not JSON (${(err as Error).message})` };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues = parsed.error.issues.map((i) => `${i.path.map(String).join(".") || "(answer)"}: ${i.message}`).join("; ");
  return { ok: false, problem: issues };
}

export async function structuredCompletion<S extends z.ZodType>(deps: ChatDeps, request: StructuredRequest<S>): Promise<StructuredAnswer<z.infer<S>>> {
  let messages = request.messages;
  let usage: TokenUsage | null = null;
  for (let attempt = 1; ; attempt += 1) {
    const answer = await complete(deps, request, messages);
    usage = addUsage(usage, answer.usage);
    if (answer.refusal) {
      throw new ProviderError(`the model refused: ${answer.refusal}`, { code: "refused", retryable: false, usage, model: answer.model });
    }
    const checked = validate(request.schema, answer);
    if (checked.ok) return { value: checked.value, usage, model: answer.model };
    if (attempt >= 2) {
      throw new ProviderError(`the answer did not match the ${request.schemaName} schema after a second request: ${checked.problem}`, {
        code: "invalid_output",
        retryable: false,
        usage,
        model: answer.model,
      });
    }
    messages = correctionMessages(request.messages, answer.content ?? "", checked.problem);
  }
}
