// The Chorus services `npm start` runs, with the ports CONTRIBUTING.md gives them, and
// how to describe the way a process ended.
import type { Exit } from "./children.ts";

export type ServiceSpec = {
  name: string;
  /** PORT: its HTTP port, where /readyz answers. */
  port: number;
  entry: string;
  /** Its other listening ports by variable (a person's own setting of one wins), checked free before start. */
  otherPorts?: Readonly<Record<string, number>>;
};

export const SERVICES: readonly ServiceSpec[] = [
  { name: "gateway", port: 8000, entry: "services/gateway/src/main.ts", otherPorts: { GRPC_PORT: 50051, OPS_PORT: 9000 } },
  { name: "orchestrator", port: 8081, entry: "services/orchestrator/src/main.ts" },
  { name: "agents", port: 8082, entry: "services/agents/src/main.ts", otherPorts: { GRPC_PORT: 50052 } },
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

/** Every port a service listens on, labelled for a message: PORT, then its others as `env` sets them. */
export function portsOf(spec: ServiceSpec, env: Readonly<Record<string, string | undefined>>): { port: number; what: string }[] {
  const others = Object.entries(spec.otherPorts ?? {}).map(([name, fallback]) => ({ port: Number(env[name] ?? fallback), what: `${spec.name} ${name}` }));
  // 0 asks for any free port: nothing to check.
  return [{ port: spec.port, what: spec.name }, ...others.filter((p) => Number.isInteger(p.port) && p.port > 0)];
}

/** The variables that give a service its ports: PORT, and the others unless `env` sets them already. */
export function portVariables(spec: ServiceSpec, env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const vars: Record<string, string> = { PORT: String(spec.port) };
  for (const [name, port] of Object.entries(spec.otherPorts ?? {})) vars[name] = env[name] ?? String(port);
  return vars;
}
