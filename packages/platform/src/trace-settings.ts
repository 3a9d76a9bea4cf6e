// What tracing is decided by before its SDK loads: whether the standard OTEL_* variables
// ask for trace export, and the attribute every span of a request carries. Free of
// imports, because the telemetry preload reads it before loading anything else.

export const CORRELATION_ATTRIBUTE = "chorus.correlation_id";

/** True when OTEL_TRACES_EXPORTER names an exporter other than `none`, or an OTLP endpoint is set. */
export function tracingConfigured(env: Record<string, string | undefined>): boolean {
  const exporters = (env.OTEL_TRACES_EXPORTER ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  if (exporters.length > 0) return !exporters.every((e) => e === "none");
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}
