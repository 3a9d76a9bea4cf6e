// The `node --import` preload every service starts with: it turns on Node's compile cache,
// makes any crash one JSON log line, and starts OpenTelemetry before the service imports
// http, pg, koa or grpc. Like main.ts it is an entry point, so it reads the environment
// (only OTEL_*, NODE_COMPILE_CACHE and the service's path).
//
// Start-up time: five services start at once on a small machine, so what each loads
// counts. The compile cache (on before anything else loads, hence the dynamic imports
// below) keeps V8's compiled code and the stripped TypeScript between starts; the ES
// module hook, which routes every import through a loader thread, and the span exporters
// are loaded only when traces are exported — metrics and the instrumentations of CommonJS
// packages (pg, the http server's metrics) work without the hook.
import { enableCompileCache, register } from "node:module";
import { tracingConfigured } from "./trace-settings.ts";

// In NODE_COMPILE_CACHE's directory, else the system's temporary one; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
enableCompileCache();

const { installCrashHandlers } = await import("./crash.ts");
const { serviceNameFrom } = await import("./telemetry-name.ts");
const serviceName = process.env.OTEL_SERVICE_NAME ?? serviceNameFrom(process.argv[1] ?? "", process.argv.slice(2));
// First, so even a module that fails to load is reported as JSON; bootService renames it to the service's own name.
installCrashHandlers(serviceName.replace(/^chorus-/, ""));

const tracing = tracingConfigured(process.env);
if (tracing) register("@opentelemetry/instrumentation/hook.mjs", import.meta.url);
const spanProcessors = tracing ? (await import("./trace-export.ts")).spanProcessorsFromEnv(process.env) : [];

const { startTelemetry } = await import("./telemetry.ts");
await startTelemetry({ serviceName, spanProcessors });
