// pino JSON logs. Every line names its service; request-scoped lines carry
// correlation_id and request_id through child loggers, and trace_id/span_id when traced.
import { trace } from "@opentelemetry/api";
import { pino, type DestinationStream, type Logger, type LoggerOptions } from "pino";

export type { Logger };

/** A service's logger: JSON lines on stdout, or on `destination` (the exit lines use stderr). */
export function createLogger(service: string, level: string, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    name: service,
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Ties a log line to its trace in Jaeger; nothing is added when no span is recording.
    mixin() {
      const span = trace.getActiveSpan();
      if (!span?.isRecording()) return {};
      const { traceId, spanId } = span.spanContext();
      return { trace_id: traceId, span_id: spanId };
    },
    // Secrets never reach a log line, whatever object a caller passes.
    redact: {
      // `pass`/`password`: a NATS or database credential in an options object that is logged.
      paths: ["webhook_secret", "*.webhook_secret", "secret", "*.secret", "*.*.secret", "headers.authorization", "pass", "*.pass", "password", "*.password"],
      censor: "[redacted]",
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** A child logger for one request's work. */
export function requestLogger(logger: Logger, meta: { request_id: string; correlation_id: string }): Logger {
  return logger.child({ request_id: meta.request_id, correlation_id: meta.correlation_id });
}
