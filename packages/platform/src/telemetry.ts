// OpenTelemetry for every Chorus process: traces exported only when the standard OTEL_*
// variables ask for them, metrics always collected for the Prometheus /metrics route.
import type { IncomingMessage, ServerResponse } from "node:http";
import { context, metrics, propagation, trace, type Span } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { getRPCMetadata, RPCType, W3CTraceContextPropagator } from "@opentelemetry/core";
import { PrometheusExporter, PrometheusSerializer } from "@opentelemetry/exporter-prometheus";
import { GrpcInstrumentation } from "@opentelemetry/instrumentation-grpc";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { KoaInstrumentation } from "@opentelemetry/instrumentation-koa";
import { PgInstrumentation } from "@opentelemetry/instrumentation-pg";
import { detectResources, envDetector, resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import type { SpanProcessor } from "@opentelemetry/sdk-trace";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import { CORRELATION_ATTRIBUTE } from "./trace-settings.ts";

/** Paths scraped by orchestrators every few seconds: tracing them would bury the requests. */
const UNTRACED_PATHS = new Set(["/livez", "/readyz", "/metrics"]);

export type TelemetryOptions = {
  serviceName: string;
  /**
   * Where spans go (trace-export's spanProcessorsFromEnv); none: traces are not exported.
   * Passed in, so a process that exports none never loads the exporters.
   */
  spanProcessors?: SpanProcessor[];
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

/** The instrumentations every process runs: spans when traces are exported, and the HTTP server's metrics always. */
function instrumentations() {
  return [
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
  ];
}

/**
 * Starts OpenTelemetry once per process. Call it before the modules it instruments (http,
 * pg, koa, grpc) are imported: `telemetry-register.ts` does so as a `node --import`
 * preload. With span processors it runs the Node SDK (tracer, context propagation,
 * metrics); without, only the meter provider behind /metrics and the instrumentations,
 * which is what a process that exports no traces needs, and starts in half the time.
 */
export async function startTelemetry(opts: TelemetryOptions): Promise<Telemetry> {
  if (current) return current;
  const spanProcessors = opts.spanProcessors ?? [];
  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const serializer = new PrometheusSerializer();
  let shutdown: () => Promise<void>;
  if (spanProcessors.length > 0) {
    const { NodeSDK } = await import("@opentelemetry/sdk-node");
    const sdk = new NodeSDK({ serviceName: opts.serviceName, metricReaders: [prometheus], spanProcessors, logRecordProcessors: [], instrumentations: instrumentations() });
    sdk.start();
    shutdown = () => sdk.shutdown();
  } else {
    const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: opts.serviceName }).merge(detectResources({ detectors: [envDetector] }));
    const meterProvider = new MeterProvider({ resource, readers: [prometheus] });
    // Before the instrumentations are made: they take their meters from the global provider.
    metrics.setGlobalMeterProvider(meterProvider);
    // The route of an HTTP request (a metric label) travels in the active context, from Koa to the HTTP instrumentation.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    // Passed on even here, so a request's trace stays whole across services of which only some export.
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    instrumentations();
    shutdown = () => meterProvider.shutdown();
  }
  current = {
    tracing: spanProcessors.length > 0,
    async prometheusText() {
      const { resourceMetrics, errors } = await prometheus.collect();
      if (errors.length > 0) throw errors[0] instanceof Error ? errors[0] : new Error(String(errors[0]));
      return serializer.serialize(resourceMetrics);
    },
    shutdown,
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

/**
 * Names the route of the HTTP request being handled (e.g. `/api/v1/results/:id`), for
 * the HTTP metrics' `http_route` label and the server span's name. Koa's instrumentation
 * does this too, but only where the ES module hook is loaded (traces exported).
 */
export function tagRequestRoute(route: string): void {
  const rpc = getRPCMetadata(context.active());
  if (rpc && rpc.type === RPCType.HTTP) rpc.route = route;
}
