// Starts real Chorus service processes for end-to-end tests: each on a free port, with
// the test's isolated NATS prefix and database, stopped with SIGTERM like in production.
import { spawn, type ChildProcess } from "node:child_process";
import { createConnection, createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { serviceNodeArgs } from "@chorus/platform";

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
  // Two free ports asked for one after the other can be the same one (each is closed before
  // the next is asked for): the gateway refuses OPS_PORT equal to PORT or GRPC_PORT (exit 78).
  const taken = new Set([env.GRPC_PORT, env.PORT, env.OPS_PORT].filter((p) => p && p !== "0").map(Number));
  const port = env.PORT ? Number(env.PORT) : await freePortOtherThan(taken);
  taken.add(port);
  // Only the gateway reads OPS_PORT (its API is on PORT): its probes answer there while it starts.
  const opsPort = env.OPS_PORT && env.OPS_PORT !== "0" ? Number(env.OPS_PORT) : await freePortOtherThan(taken);
  const entry = options.entry ?? `services/${name}/src/main.ts`;
  const child = spawn(process.execPath, serviceNodeArgs(entry), {
    cwd: repoRoot,
    // GRPC_PORT 0 (any free port) and the gateway's OPS_PORT a free one unless given, so parallel tests never fight over a port.
    // CHORUS_AUTH off unless given: only the tests about keys need them (they set it to required).
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "info", GRPC_PORT: "0", CHORUS_AUTH: "off", ...env, PORT: String(port), OPS_PORT: String(opsPort) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    probesUrl: `http://127.0.0.1:${name === "gateway" ? opsPort : port}`,
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
