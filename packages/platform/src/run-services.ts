// Several services in one process (services/run.ts): each is booted and stopped as it
// would be alone (runService), with its own configuration, NATS connection, probes and
// closers, and one signal stops them all (see shutdown.ts). On one small machine this
// spares the operating system a process to wake per service at every hop of a request;
// for scaling one service apart from the others, run each in its own process.
//
// Every service reads the process's variables, except where two services would read one
// variable for different things: a listening port. With several services in a process,
// PORT, GRPC_PORT and OPS_PORT are each service's own, given as <SERVICE>_PORT (e.g.
// GATEWAY_PORT, AGENTS_GRPC_PORT), or left to its default; and any other variable a
// service's configuration reads can be given to it alone the same way
// (PROJECTOR_DATABASE_URL, AGENTS_NATS_USER). What the process reads before any service
// (NODE_OPTIONS, OTEL_* in the telemetry preload) is the whole process's.
import type { z } from "zod";
import { exitWithConfigError, installCrashHandlers } from "./crash.ts";
import { ConfigError } from "./errors.ts";
import { runService, type ServiceDefinition } from "./run-service.ts";
import type { ProbedConfig } from "./service.ts";

type Env = Readonly<Record<string, string | undefined>>;

/** A definition of a service given the variables it reads (a service.ts's export). */
type DefineService = (env: Env) => ServiceDefinition<z.ZodType<ProbedConfig>>;

/**
 * A service as the runner knows it: its name, and how to load its definition, which
 * imports its code only when this process runs it (the gateway's HTTP and gRPC stacks have
 * no place in the orchestrator's process).
 */
export type RunnableService = { name: string; load(): Promise<DefineService> };

/** Variables that name one listening port: with several services in a process, only their <SERVICE>_ forms are taken. */
export const PER_SERVICE_PORTS = ["PORT", "GRPC_PORT", "OPS_PORT"] as const;

/** `agents` → `AGENTS_`: the prefix of the variables meant for one service of a shared process. */
export const servicePrefix = (name: string) => `${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_`;

/**
 * The variables `name` reads in a process it shares with others: the process's own, without
 * the shared port variables (refused when set: which service's port would they be?), then
 * every <SERVICE>_X as X. Alone in its process a service reads the variables unchanged.
 */
export function serviceEnv(name: string, env: Env, alone: boolean): Record<string, string | undefined> {
  if (alone) return { ...env };
  const shared = PER_SERVICE_PORTS.filter((v) => env[v] !== undefined && env[v] !== "");
  if (shared.length > 0) {
    const examples = shared.map((v) => `${servicePrefix(name)}${v}`).join(", ");
    throw new ConfigError(`${shared.join(", ")} would be the same port for every service of this process: set each service's own, such as ${examples}`);
  }
  const own: Record<string, string | undefined> = { ...env };
  for (const v of PER_SERVICE_PORTS) delete own[v];
  const prefix = servicePrefix(name);
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith(prefix) && key.length > prefix.length) own[key.slice(prefix.length)] = value;
  }
  return own;
}

/** Which of `known` the names ask for, in the order given; a ConfigError names an unknown or repeated one. */
export function chooseServices(names: readonly string[], known: readonly RunnableService[]): RunnableService[] {
  if (names.length === 0) throw new ConfigError(`name the services to run: ${known.map((s) => s.name).join(", ")}`);
  const chosen: RunnableService[] = [];
  for (const name of names) {
    const service = known.find((s) => s.name === name);
    if (!service) throw new ConfigError(`unknown service ${JSON.stringify(name)}: one of ${known.map((s) => s.name).join(", ")}`);
    if (chosen.includes(service)) throw new ConfigError(`${name} is named twice`);
    chosen.push(service);
  }
  return chosen;
}

/**
 * Starts the services together and returns once every one runs. A configuration one of them
 * cannot run with ends the process with exit 78 before any starts; a service that fails
 * while starting ends the process, the others with it, as it would end its own.
 */
export async function runServices(names: readonly string[], known: readonly RunnableService[], env: Env): Promise<void> {
  let definitions: ServiceDefinition<z.ZodType<ProbedConfig>>[];
  try {
    const chosen = chooseServices(names, known);
    const defines = await Promise.all(chosen.map((s) => s.load()));
    definitions = chosen.map((s, i) => (defines[i] as DefineService)(serviceEnv(s.name, env, chosen.length === 1)));
  } catch (err) {
    if (err instanceof ConfigError) exitWithConfigError(names.join("+") || "chorus", err);
    throw err;
  }
  const started = Promise.all(definitions.map((d) => runService(d)));
  // Each service's boot named the process's crash lines after itself (its configuration is
  // read before its first await): an uncaught error is the whole process's, named for all.
  installCrashHandlers(definitions.map((d) => d.name).join("+"));
  await started;
}
