// A local NATS server with JetStream for `npm start`, when none is running: the
// `nats-server` binary on PATH, its store under .data/nats, stopped when Chorus stops.
import { accessSync, constants, mkdirSync } from "node:fs";
import { delimiter, join } from "node:path";
import { connectNats, createLogger, jetStreamClients } from "@chorus/platform";
import { spawnChild, stopChild, type Child, type StartedServer } from "./children.ts";
import type { Endpoint } from "./endpoints.ts";
import type { Labeller } from "./lines.ts";
import { answersTcp, waitUntil } from "./probes.ts";
import { describeExit } from "./services.ts";

export function findOnPath(command: string, pathVariable: string | undefined): string | null {
  for (const dir of (pathVariable ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

export type NatsServerOptions = {
  binary: string;
  endpoint: Endpoint;
  storeDir: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Its log lines when DEBUG is on, else null: a healthy broker's chatter is noise here. */
  show: Labeller | null;
  timeoutMs: number;
};

export async function startNatsServer(opts: NatsServerOptions): Promise<StartedServer> {
  mkdirSync(opts.storeDir, { recursive: true });
  const host = opts.endpoint.host === "localhost" ? "127.0.0.1" : opts.endpoint.host;
  const args = ["-js", "-a", host, "-p", String(opts.endpoint.port), "-sd", opts.storeDir];
  const child = spawnChild("nats", opts.binary, args, {
    cwd: opts.cwd,
    env: opts.env,
    show: opts.show ? { out: opts.show, err: opts.show } : null,
    detached: true,
  });
  const answered = async () => child.hasExited() || (await answersTcp(opts.endpoint));
  try {
    await waitUntil(`nats-server on port ${opts.endpoint.port}`, answered, opts.timeoutMs, 100);
  } catch (err) {
    await stopChild(child, 5_000);
    throw err;
  }
  if (child.hasExited()) {
    const exit = await child.exited;
    throw new Error(`nats-server ended before it answered (${describeExit(exit)}):\n${tail(child)}`);
  }
  return {
    name: "NATS",
    stop: async () => void (await stopChild(child, 10_000)),
    ended: child.exited.then(describeExit),
    killNow: () => void (child.hasExited() || child.process.kill("SIGKILL")),
  };
}

/** Fails with a plain reason when the NATS at `url` does not have JetStream enabled. */
export async function checkJetStream(url: string): Promise<void> {
  const nc = await connectNats({ url, name: "chorus-start", logger: createLogger("start", "silent") }).catch((err: Error) => {
    throw new Error(`cannot connect to NATS at ${url}: ${err.message}`, { cause: err });
  });
  try {
    const { jsm } = await jetStreamClients(nc);
    await jsm.getAccountInfo();
  } catch (err) {
    throw new Error(`NATS at ${url} answers but JetStream is not available (start nats-server with -js): ${(err as Error).message}`, { cause: err });
  } finally {
    await nc.close();
  }
}

function tail(child: Child): string {
  return child.recentLines().map((l) => `  ${l}`).join("\n");
}
