// Where spans go: the exporters the standard OTEL_TRACES_EXPORTER / OTEL_EXPORTER_OTLP_*
// variables name, batched as OTEL_BSP_* says, behind a processor that copies the
// request's correlation id from each span's parent, so every span of a request carries it.
import { trace, type Context } from "@opentelemetry/api";
import { OTLPTraceExporter as OtlpGrpc } from "@opentelemetry/exporter-trace-otlp-grpc";
import { OTLPTraceExporter as OtlpJson } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as OtlpProto } from "@opentelemetry/exporter-trace-otlp-proto";
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type ReadableSpan, type Span, type SpanExporter, type SpanProcessor } from "@opentelemetry/sdk-trace";

import { CORRELATION_ATTRIBUTE, tracingConfigured } from "./trace-settings.ts";

export { CORRELATION_ATTRIBUTE, tracingConfigured };

type Env = Record<string, string | undefined>;

/** Inherits `chorus.correlation_id` from the parent span in this process, when it has one. */
export const correlationSpanProcessor: SpanProcessor = {
  onStart(span: Span, parent: Context) {
    if (span.attributes[CORRELATION_ATTRIBUTE] !== undefined) return;
    const id = (trace.getSpan(parent) as Partial<ReadableSpan> | undefined)?.attributes?.[CORRELATION_ATTRIBUTE];
    if (id !== undefined) span.setAttribute(CORRELATION_ATTRIBUTE, id);
  },
  onEnd() {},
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

/** True when the OTEL_* variables name a trace exporter or an OTLP endpoint. */
function otlpExporter(env: Env): SpanExporter {
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? "http/protobuf").trim();
  if (protocol === "grpc") return new OtlpGrpc();
  if (protocol === "http/json") return new OtlpJson();
  return new OtlpProto();
}

function positive(value: string | undefined): number | undefined {
  const n = Number(value);
  return value && Number.isFinite(n) && n > 0 ? n : undefined;
}

/** The span processors for `env`: none unless tracing is configured (the exporters read their own OTEL_EXPORTER_OTLP_* settings). */
export function spanProcessorsFromEnv(env: Env): SpanProcessor[] {
  if (!tracingConfigured(env)) return [];
  const names = new Set((env.OTEL_TRACES_EXPORTER ?? "otlp").split(",").map((s) => s.trim()).filter((s) => s && s !== "none"));
  if (names.size === 0) names.add("otlp");
  const batch = {
    scheduledDelayMillis: positive(env.OTEL_BSP_SCHEDULE_DELAY),
    exportTimeoutMillis: positive(env.OTEL_BSP_EXPORT_TIMEOUT),
    maxQueueSize: positive(env.OTEL_BSP_MAX_QUEUE_SIZE),
    maxExportBatchSize: positive(env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE),
  };
  const processors: SpanProcessor[] = [correlationSpanProcessor];
  if (names.has("otlp")) processors.push(new BatchSpanProcessor({ exporter: otlpExporter(env), ...batch }));
  if (names.has("console")) processors.push(new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() }));
  return processors;
}
