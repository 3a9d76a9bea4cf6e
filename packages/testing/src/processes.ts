// Starts real Chorus service processes for end-to-end tests: each on a free port, with
// the test's isolated NATS prefix and database, stopped with SIGTERM like in production.
import { spawn, type ChildProcess } from "node:child_process";
import { createConnection, createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { serviceNodeArgs, servicePrefix } from "@chorus/platform";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** True when something accepts TCP connections on the loopback port (a server that is up). */
export function answersTcp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port }, () => {
      socket.end();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export type RunningService = {
  name: string;
  port: number;
  url: string;
  /** Where its /livez and /readyz answer from the start: the gateway's OPS_PORT, every other service's PORT. */
  probesUrl: string;
  process: ChildProcess;
  /** Everything the process wrote, for assertions and for failure messages. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
};

async function freePortOtherThan(taken: ReadonlySet<number>): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (!taken.has(port)) return port;
  }
}

/** Spawns `node --import <telemetry preload> services/<name>/src/main.ts` without waiting for it: for tests of how a service starts. */
export async function spawnService(name: string, env: Record<string, string>, options: { entry?: string } = {}): Promise<RunningService> {
  // The gateway refuses OPS_PORT equal to PORT or GRPC_PORT (exit 78): each port is asked for only once the ports before it are taken.
  const taken = new Set([env.GRPC_PORT, env.PORT, env.OPS_PORT].filter((p) => p && p !== "0").map(Number));
  const port = env.PORT ? Number(env.PORT) : await freePortOtherThan(taken);
  taken.add(port);
  // Only the gateway reads OPS_PORT (its API is on PORT): its probes answer there while it starts.
  const opsPort = env.OPS_PORT && env.OPS_PORT !== "0" ? Number(env.OPS_PORT) : await freePortOtherThan(taken);
  const entry = options.entry ?? `services/${name}/src/main.ts`;
  // GRPC_PORT 0 (any free port) so parallel tests never fight over a port.
  const child = spawnChild(serviceNodeArgs(entry), { GRPC_PORT: "0", ...env, PORT: String(port), OPS_PORT: String(opsPort) });
  return runningService(name, child, port, name === "gateway" ? opsPort : port);
}

/**
 * Spawns `services/run.ts` with several services in one process, each on free ports of its
 * own (<SERVICE>_PORT; gRPC on any free port) unless `ports` gives them (a restart on the
 * same ones), without waiting for it. Its `url` is the gateway's when it runs the gateway,
 * else the first service's; `ports` has every one's, and the gateway's OPS_PORT as "gateway ops".
 */
export async function spawnServiceGroup(
  names: readonly string[],
  env: Record<string, string>,
  options: { ports?: Readonly<Record<string, number>> } = {},
): Promise<RunningService & { ports: Record<string, number> }> {
  // A service alone in services/run.ts reads the plain variables (as from its main.ts): use spawnService for one.
  if (names.length < 2) throw new Error(`a service group has at least two services, not ${names.length}: use spawnService`);
  const ports: Record<string, number> = {};
  const vars: Record<string, string> = {};
  const taken = new Set<number>(Object.values(options.ports ?? {}));
  for (const name of names) {
    const prefix = servicePrefix(name);
    const port = options.ports?.[name] ?? (await freePortOtherThan(taken));
    taken.add(port);
    ports[name] = port;
    vars[`${prefix}PORT`] = String(port);
    vars[`${prefix}GRPC_PORT`] = "0";
  }
  let probesPort = ports[names[0] ?? ""] ?? 0;
  if (names.includes("gateway")) {
    const opsPort = options.ports?.["gateway ops"] ?? (await freePortOtherThan(taken));
    ports["gateway ops"] = opsPort;
    vars.GATEWAY_OPS_PORT = String(opsPort);
    probesPort = opsPort;
  }
  const main = names.includes("gateway") ? "gateway" : (names[0] ?? "");
  const child = spawnChild([...serviceNodeArgs("services/run.ts"), names.join(",")], { ...env, ...vars });
  return { ...runningService(names.join("+"), child, ports[main] ?? 0, probesPort), ports };
}

/** Spawns the group (see spawnServiceGroup) and resolves once every service's /readyz answers 200. */
export async function startServiceGroup(names: readonly string[], env: Record<string, string>, options: { readyTimeoutMs?: number; ports?: Readonly<Record<string, number>> } = {}) {
  const group = await spawnServiceGroup(names, env, options);
  try {
    for (const [name, port] of Object.entries(group.ports)) {
      if (name !== "gateway ops") await untilReady({ ...group, url: `http://127.0.0.1:${port}` }, options.readyTimeoutMs);
    }
    return group;
  } catch (err) {
    await group.stop("SIGKILL");
    throw err;
  }
}

function spawnChild(args: string[], env: Record<string, string>): ChildProcess {
  // CHORUS_AUTH off unless given: only the tests about keys need them (they set it to required).
  return spawn(process.execPath, args, { cwd: repoRoot, env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "info", CHORUS_AUTH: "off", ...env }, stdio: ["ignore", "pipe", "pipe"] });
}

function runningService(name: string, child: ChildProcess, port: number, probesPort: number): RunningService {
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    probesUrl: `http://127.0.0.1:${probesPort}`,
    process: child,
    output: () => out,
    async stop(signal = "SIGTERM") {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/**
 * Stops the services with SIGTERM, the last started first (a rolling shutdown: the gateway
 * stops taking work first); rejects, with their output, if any did not exit with 0.
 */
export async function stopCleanly(services: readonly RunningService[]): Promise<void> {
  const unclean: string[] = [];
  for (const s of [...services].reverse()) {
    const code = await s.stop();
    if (code !== 0) unclean.push(`${s.name} exited with ${code} on SIGTERM:\n${s.output()}`);
  }
  if (unclean.length > 0) throw new Error(unclean.join("\n\n"));
}

/** Resolves once the service's /readyz answers 200; rejects, with its output, if it exits first or is not ready within `timeoutMs`. */
export async function untilReady(service: RunningService, timeoutMs = 30_000): Promise<RunningService> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { exitCode, signalCode } = service.process;
    if (exitCode !== null || signalCode !== null) throw new Error(`${service.name} exited (${exitCode ?? signalCode}) before it was ready:\n${service.output()}`);
    try {
      const res = await fetch(`${service.url}/readyz`);
      if (res.ok) return service;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${service.name} was not ready within ${timeoutMs} ms:\n${service.output()}`);
}

/** Spawns the service (see spawnService) and resolves once its /readyz answers 200. */
export async function startService(
  name: string,
  env: Record<string, string>,
  options: { readyTimeoutMs?: number; entry?: string } = {},
): Promise<RunningService> {
  const service = await spawnService(name, env, options);
  try {
    return await untilReady(service, options.readyTimeoutMs);
  } catch (err) {
    await service.stop("SIGKILL");
    throw err;
  }
}
