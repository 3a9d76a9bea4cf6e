// OpenTelemetry for every Chorus process: traces exported only when the standard OTEL_*
// variables ask for them, metrics always collected for the Prometheus /metrics route.
import type { IncomingMessage, ServerResponse } from "node:http";
import { context, trace, type Span } from "@opentelemetry/api";
import { getRPCMetadata } from "@opentelemetry/core";
import { PrometheusExporter, PrometheusSerializer } from "@opentelemetry/exporter-prometheus";
import { GrpcInstrumentation } from "@opentelemetry/instrumentation-grpc";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { KoaInstrumentation } from "@opentelemetry/instrumentation-koa";
import { PgInstrumentation } from "@opentelemetry/instrumentation-pg";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { CORRELATION_ATTRIBUTE, spanProcessorsFromEnv } from "./trace-export.ts";

/** Paths scraped by orchestrators every few seconds: tracing them would bury the requests. */
const UNTRACED_PATHS = new Set(["/livez", "/readyz", "/metrics"]);

export type TelemetryOptions = {
  serviceName: string;
  /** The OTEL_* variables (the SDK itself reads them from the process too). */
  env: Record<string, string | undefined>;
};

export type Telemetry = {
  tracing: boolean;
  /** The current metrics in the Prometheus text format. */
  prometheusText(): Promise<string>;
  shutdown(): Promise<void>;
};

let current: Telemetry | undefined;

function headerValue(value: number | string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value[0] : String(value);
}

/**
 * Starts the SDK once per process. Call it before the modules it instruments (http, pg,
 * koa, grpc) are imported: `telemetry-register.ts` does so as a `node --import` preload.
 */
export function startTelemetry(opts: TelemetryOptions): Telemetry {
  if (current) return current;
  const spanProcessors = spanProcessorsFromEnv(opts.env);
  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const serializer = new PrometheusSerializer();
  const sdk = new NodeSDK({
    serviceName: opts.serviceName,
    metricReaders: [prometheus],
    // No exporter unless configured: an empty list keeps the SDK from defaulting to OTLP.
    spanProcessors,
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req: IncomingMessage) => UNTRACED_PATHS.has((req.url ?? "/").split("?")[0] ?? "/"),
        // The hook runs as the response starts; the gateway has chosen the correlation id
        // and set its header by the time the response finishes, before the span ends.
        responseHook: (span: Span, res: IncomingMessage | ServerResponse) => {
          if (!("getHeader" in res)) return;
          res.once("finish", () => {
            const id = headerValue(res.getHeader("x-correlation-id"));
            if (id) span.setAttribute(CORRELATION_ATTRIBUTE, id);
          });
        },
      }),
      new KoaInstrumentation(),
      new PgInstrumentation({ enhancedDatabaseReporting: false }),
      new GrpcInstrumentation(),
    ],
  });
  sdk.start();
  current = {
    tracing: spanProcessors.length > 0,
    async prometheusText() {
      const { resourceMetrics, errors } = await prometheus.collect();
      if (errors.length > 0) throw errors[0] instanceof Error ? errors[0] : new Error(String(errors[0]));
      return serializer.serialize(resourceMetrics);
    },
    shutdown: () => sdk.shutdown(),
  };
  return current;
}

/** The telemetry this process started, if any (tests that import services directly have none). */
export function runningTelemetry(): Telemetry | undefined {
  return current;
}

/**
 * Puts the correlation id on the request's HTTP server span and on the active span, so
 * every span started below them inherits it.
 */
export function tagRequestSpans(correlationId: string): void {
  getRPCMetadata(context.active())?.span?.setAttribute(CORRELATION_ATTRIBUTE, correlationId);
  trace.getActiveSpan()?.setAttribute(CORRELATION_ATTRIBUTE, correlationId);
}
