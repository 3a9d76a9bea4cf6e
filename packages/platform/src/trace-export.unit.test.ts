import { describe, expect, it } from "vitest";
import { serviceNameFrom, serviceNodeArgs } from "./telemetry-name.ts";
import { correlationSpanProcessor, spanProcessorsFromEnv, tracingConfigured } from "./trace-export.ts";

describe("trace export from the OTEL_* variables", () => {
  it("is off unless an exporter or an OTLP endpoint is configured", () => {
    expect(tracingConfigured({})).toBe(false);
    expect(tracingConfigured({ OTEL_TRACES_EXPORTER: "none" })).toBe(false);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" })).toBe(true);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://collector:4318/v1/traces" })).toBe(true);
    expect(tracingConfigured({ OTEL_TRACES_EXPORTER: "console" })).toBe(true);
    expect(spanProcessorsFromEnv({})).toEqual([]);
  });

  it("puts the correlation processor before each configured exporter's processor", () => {
    const processors = spanProcessorsFromEnv({ OTEL_TRACES_EXPORTER: "otlp,console", OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" });
    expect(processors).toHaveLength(3);
    expect(processors[0]).toBe(correlationSpanProcessor);
  });
});

describe("the service a process reports", () => {
  it("is named after its entry's service folder", () => {
    expect(serviceNameFrom("/app/services/gateway/src/main.ts")).toBe("chorus-gateway");
    expect(serviceNameFrom("scripts/migrate.ts")).toBe("chorus");
  });

  it("is named after every service it runs when it runs several", () => {
    expect(serviceNameFrom("/app/services/run.ts", ["gateway", "agents"])).toBe("chorus-gateway+agents");
    expect(serviceNameFrom("services/run.ts", ["orchestrator,projector,webhooks"])).toBe("chorus-orchestrator+projector+webhooks");
    expect(serviceNameFrom("services/run.ts", [])).toBe("chorus");
  });

  it("is started with the telemetry preload before its entry", () => {
    expect(serviceNodeArgs("services/agents/src/main.ts")).toEqual(["--import", "./packages/platform/src/telemetry-register.ts", "services/agents/src/main.ts"]);
  });
});
