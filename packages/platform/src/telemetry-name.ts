// The service name a process reports when OTEL_SERVICE_NAME is not set, from its entry path.

/**
 * `…/services/gateway/src/main.ts` → `chorus-gateway`; `services/run.ts gateway agents` →
 * `chorus-gateway+agents` (several services in one process); anything else → `chorus`.
 */
export function serviceNameFrom(entry: string, args: readonly string[] = []): string {
  if (/services[\\/]run\.ts$/.test(entry)) {
    const names = args.flatMap((a) => a.split(",")).filter((n) => /^[a-z0-9-]+$/.test(n));
    return names.length > 0 ? `chorus-${names.join("+")}` : "chorus";
  }
  const match = /services[\\/]([a-z0-9-]+)[\\/]/.exec(entry);
  return match ? `chorus-${match[1]}` : "chorus";
}

/** The preload that starts OpenTelemetry; every way of starting a service runs `node --import` with it. */
export const TELEMETRY_PRELOAD = "./packages/platform/src/telemetry-register.ts";

/** Node's arguments to run a service entry (relative to the repository root) with telemetry. */
export function serviceNodeArgs(entry: string): string[] {
  return ["--import", TELEMETRY_PRELOAD, entry];
}
