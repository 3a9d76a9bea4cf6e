// The Chorus services `npm start` runs, with the ports CONTRIBUTING.md gives them, and
// how to describe the way a process ended.
import { servicePrefix } from "@chorus/platform";
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

/**
 * The processes npm start runs the services in, unless START_PROCESSES says otherwise: on
 * one machine, services sharing a process spare the operating system a process to wake at
 * every hop of a request. The gateway and the agents: a request's accept goes from one to
 * the other; the orchestrator, the projector and the webhooks: the rest. On this repository's
 * 2-core benchmark machine this served 1.12–1.27 times the requests of one process per
 * service at 64 in flight, at about half the latency at half of peak
 * (bench/results/ab-event-model.md, "Session 10").
 */
export const DEFAULT_PROCESSES: readonly (readonly string[])[] = [
  ["gateway", "agents"],
  ["orchestrator", "projector", "webhooks"],
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

type Env = Readonly<Record<string, string | undefined>>;

/** A port variable of one service as a person set it: its own form (GATEWAY_GRPC_PORT), else the plain one. */
const ownSetting = (spec: ServiceSpec, name: string, env: Env) => env[`${servicePrefix(spec.name)}${name}`] ?? env[name];

/** Every port a service listens on, labelled for a message: PORT, then its others as `env` sets them. */
export function portsOf(spec: ServiceSpec, env: Env): { port: number; what: string }[] {
  const others = Object.entries(spec.otherPorts ?? {}).map(([name, fallback]) => ({ port: Number(ownSetting(spec, name, env) ?? fallback), what: `${spec.name} ${name}` }));
  // 0 asks for any free port: nothing to check.
  return [{ port: spec.port, what: spec.name }, ...others.filter((p) => Number.isInteger(p.port) && p.port > 0)];
}

/** The variables that give a service its ports: PORT, and the others unless `env` sets them already. */
export function portVariables(spec: ServiceSpec, env: Env): Record<string, string> {
  const vars: Record<string, string> = { PORT: String(spec.port) };
  for (const [name, port] of Object.entries(spec.otherPorts ?? {})) vars[name] = ownSetting(spec, name, env) ?? String(port);
  return vars;
}

/**
 * The port variables of a process: a service alone takes them as they are; services that
 * share a process each take theirs as <SERVICE>_<VARIABLE> (see runServices), and the
 * plain ones are left out, since every service of the process would read them.
 */
export function processPortVariables(specs: readonly ServiceSpec[], env: Env): Record<string, string | undefined> {
  const [alone] = specs;
  if (specs.length === 1 && alone) return portVariables(alone, env);
  const vars: Record<string, string | undefined> = { PORT: undefined, GRPC_PORT: undefined, OPS_PORT: undefined };
  for (const spec of specs) {
    for (const [name, value] of Object.entries(portVariables(spec, env))) vars[`${servicePrefix(spec.name)}${name}`] = value;
  }
  return vars;
}

/** How a process is named in npm start's output: its services joined by "+". */
export const processName = (specs: readonly ServiceSpec[]) => specs.map((s) => s.name).join("+");

/**
 * The processes START_PROCESSES asks for: `separate` (one per service), or processes
 * separated by spaces or semicolons, each a list of services joined by commas or "+"
 * (`gateway,agents orchestrator,projector,webhooks`, the default). A service left out is
 * not started; one named twice, or not known, is an error.
 */
export function planProcesses(setting: string | undefined, present: readonly ServiceSpec[]): { processes: ServiceSpec[][]; left: ServiceSpec[] } | { error: string } {
  const text = setting?.trim() ?? "";
  const lists =
    text === "separate"
      ? present.map((s) => [s.name])
      : text === ""
        ? DEFAULT_PROCESSES.map((names) => [...names])
        : text.split(/[\s;]+/).filter(Boolean).map((p) => p.split(/[,+]/).filter(Boolean));
  const seen = new Set<string>();
  const processes: ServiceSpec[][] = [];
  for (const names of lists) {
    const specs: ServiceSpec[] = [];
    for (const name of names) {
      if (seen.has(name)) return { error: `START_PROCESSES names ${name} twice` };
      seen.add(name);
      const spec = SERVICES.find((s) => s.name === name);
      if (!spec) return { error: `START_PROCESSES names ${JSON.stringify(name)}, which is not a service: ${SERVICES.map((s) => s.name).join(", ")}` };
      // A service whose code is not there yet is left out (npm start says so).
      if (present.includes(spec)) specs.push(spec);
    }
    if (specs.length > 0) processes.push(specs);
  }
  return { processes, left: present.filter((s) => !seen.has(s.name)) };
}
