// The `node --import` preload every service starts with: it makes any crash one JSON log
// line, hooks ES module loading and starts OpenTelemetry before the service imports http,
// pg, koa or grpc. Like main.ts it is an entry point, so it reads the environment (only
// OTEL_* and the service's path).
import { register } from "node:module";
import { installCrashHandlers } from "./crash.ts";
import { startTelemetry } from "./telemetry.ts";
import { serviceNameFrom } from "./telemetry-name.ts";

const serviceName = process.env.OTEL_SERVICE_NAME ?? serviceNameFrom(process.argv[1] ?? "");
// First, so even a module that fails to load is reported as JSON; bootService renames it to the service's own name.
installCrashHandlers(serviceName.replace(/^chorus-/, ""));

register("@opentelemetry/instrumentation/hook.mjs", import.meta.url);

startTelemetry({ serviceName, env: process.env });
