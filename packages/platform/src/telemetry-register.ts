// The `node --import` preload every service starts with: it hooks ES module loading and
// starts OpenTelemetry before the service imports http, pg, koa or grpc. Like main.ts it
// is an entry point, so it reads the environment (only OTEL_* and the service's path).
import { register } from "node:module";
import { startTelemetry } from "./telemetry.ts";
import { serviceNameFrom } from "./telemetry-name.ts";

register("@opentelemetry/instrumentation/hook.mjs", import.meta.url);

startTelemetry({ serviceName: process.env.OTEL_SERVICE_NAME ?? serviceNameFrom(process.argv[1] ?? ""), env: process.env });
