// Spans services open around their own work, following the OpenTelemetry semantic
// conventions where they exist (GenAI for LLM calls). No-ops until the SDK is started.
import { SpanKind, SpanStatusCode, trace, type Attributes, type Span } from "@opentelemetry/api";

const tracer = trace.getTracer("chorus");

/** Runs `work` inside an active span that ends with it and records its failure. */
export function inSpan<T>(name: string, options: { kind?: SpanKind; attributes?: Attributes }, work: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes }, async (span) => {
    try {
      return await work(span);
    } catch (err) {
      span.recordException(err instanceof Error ? err : new Error(String(err)));
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
  });
}

type LlmAnswer = { model?: string; usage?: { prompt_tokens: number; completion_tokens: number } | null };

/** One call to an LLM provider as a GenAI client span: `chat <model>`, with the tokens it used. */
export function llmCallSpan<T extends LlmAnswer>(call: { provider: string; model: string; agent: string }, work: () => Promise<T>): Promise<T> {
  return inSpan(
    `chat ${call.model}`,
    {
      kind: SpanKind.CLIENT,
      attributes: { "gen_ai.operation.name": "chat", "gen_ai.provider.name": call.provider, "gen_ai.request.model": call.model, "chorus.agent": call.agent },
    },
    async (span) => {
      const answer = await work();
      if (answer.model) span.setAttribute("gen_ai.response.model", answer.model);
      if (answer.usage) {
        span.setAttributes({ "gen_ai.usage.input_tokens": answer.usage.prompt_tokens, "gen_ai.usage.output_tokens": answer.usage.completion_tokens });
      }
      return answer;
    },
  );
}
