// The Chorus services `npm start` runs, with the ports CONTRIBUTING.md gives them, and
// how to describe the way a process ended.
import type { Exit } from "./children.ts";

export type ServiceSpec = { name: string; port: number; entry: string };

export const SERVICES: readonly ServiceSpec[] = [
  { name: "gateway", port: 8000, entry: "services/gateway/src/main.ts" },
  { name: "orchestrator", port: 8081, entry: "services/orchestrator/src/main.ts" },
  { name: "agents", port: 8082, entry: "services/agents/src/main.ts" },
  { name: "projector", port: 8083, entry: "services/projector/src/main.ts" },
  { name: "webhooks", port: 8084, entry: "services/webhooks/src/main.ts" },
];

/** "code 1", "signal SIGKILL": how a child ended, for one log line. */
export function describeExit(exit: Exit): string {
  if (exit.error) return `error: ${exit.error}`;
  if (exit.signal) return `signal ${exit.signal}`;
  return `code ${exit.code ?? "unknown"}`;
}

/** The width labels are padded to, so every prefix lines up. */
export function labelWidth(names: readonly string[]): number {
  return Math.max(12, ...names.map((n) => n.length));
}

/** A curl a person can paste to see Chorus work. */
export function tryCommand(gatewayUrl: string): string {
  const body = JSON.stringify({
    text: "Apple opened a new office in Berlin on Monday, and investors cheered the $2 billion plan.",
  });
  return `curl -s ${gatewayUrl}/api/v1/process -H 'content-type: application/json' -d '${body}'`;
}
