// Child processes with their output shown line by line under a label (or kept quiet),
// and stopped politely: SIGTERM, a bounded wait, then SIGKILL.
import { spawn, type ChildProcess } from "node:child_process";
import type { Readable } from "node:stream";
import { takeLines, type Labeller } from "./lines.ts";

export type Exit = { code: number | null; signal: NodeJS.Signals | null; error?: string };

export type Child = {
  name: string;
  process: ChildProcess;
  /** Settles once the process has ended and its output has been shown. */
  exited: Promise<Exit>;
  /** The last lines it printed, shown or not, to explain a failure. */
  recentLines(): string[];
  hasExited(): boolean;
};

export type SpawnOptions = {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Where its lines go: stdout and stderr labellers, or null to keep it quiet. */
  show: { out: Labeller; err: Labeller } | null;
  /**
   * Its own process group, so a Ctrl-C in the terminal reaches only `npm start`, which
   * then stops the services before the NATS and Postgres they depend on.
   */
  detached: boolean;
  /**
   * An IPC channel to the child (a Chorus service): when this process ends, even by SIGKILL,
   * the channel closes and the service stops by itself instead of holding its ports.
   */
  channel?: boolean;
};

/** A server `npm start` started for Chorus (NATS, Postgres) and must stop after the services. */
export type StartedServer = {
  name: string;
  stop(): Promise<void>;
  /** Settles with how it ended, if it ends by itself. */
  ended?: Promise<string>;
  /** Synchronous last resort when this process exits without having stopped it. */
  killNow?: () => void;
};

const KEEP_LINES = 30;

export function spawnChild(name: string, command: string, args: string[], opts: SpawnOptions): Child {
  const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, detached: opts.detached, stdio: opts.channel ? ["ignore", "pipe", "pipe", "ipc"] : ["ignore", "pipe", "pipe"] });
  // The channel is only there to close when this process ends: it must not keep it alive.
  if (opts.channel) child.channel?.unref();
  const recent: string[] = [];
  const remember = (line: string) => {
    recent.push(line);
    if (recent.length > KEEP_LINES) recent.shift();
  };
  const show = opts.show;
  pipeLines(child.stdout, (line) => {
    remember(line);
    if (show) process.stdout.write(`${show.out(line)}\n`);
  });
  pipeLines(child.stderr, (line) => {
    remember(line);
    if (show) process.stderr.write(`${show.err(line)}\n`);
  });
  let ended = false;
  const exited = new Promise<Exit>((resolve) => {
    child.once("error", (err) => {
      ended = true;
      resolve({ code: null, signal: null, error: err.message });
    });
    // 'close' rather than 'exit': it comes after the last output line, so a crash's
    // stack trace is printed before the line that reports the crash.
    child.once("close", (code, signal) => {
      ended = true;
      resolve({ code, signal });
    });
  });
  return { name, process: child, exited, recentLines: () => [...recent], hasExited: () => ended };
}

/** SIGTERM, then SIGKILL if it has not ended within `graceMs`. Resolves once it has ended. */
export async function stopChild(child: Child, graceMs: number): Promise<Exit> {
  if (child.hasExited()) return child.exited;
  child.process.kill("SIGTERM");
  const timer = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), graceMs).unref());
  if ((await Promise.race([child.exited, timer])) === "timeout") child.process.kill("SIGKILL");
  return child.exited;
}

function pipeLines(stream: Readable | null, onLine: (line: string) => void): void {
  if (!stream) return;
  let pending = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    const split = takeLines(pending, chunk);
    pending = split.pending;
    for (const line of split.lines) onLine(line);
  });
  stream.on("end", () => {
    if (pending) onLine(pending);
    pending = "";
  });
}
