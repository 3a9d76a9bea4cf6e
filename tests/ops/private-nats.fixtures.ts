// A private nats-server with JetStream for tests that stop and restart the broker, so the
// machine's shared NATS is never touched: same port and store across restarts.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { answersTcp, freePort } from "@chorus/testing";

export type PrivateNats = {
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  cleanup(): Promise<void>;
};

export async function privateNats(binary = "nats-server"): Promise<PrivateNats> {
  const port = await freePort();
  const store = await mkdtemp(join(tmpdir(), "chorus-nats-"));
  let child: ChildProcess | undefined;
  let output = "";
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
    running.kill("SIGTERM");
    await exited;
  };
  return {
    url: `nats://127.0.0.1:${port}`,
    async start() {
      child = spawn(binary, ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", store], { stdio: ["ignore", "pipe", "pipe"] });
      child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
      child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
      const deadline = Date.now() + 15_000;
      while (!(await answersTcp(port))) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`nats-server did not start on ${port}:\n${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop,
    async cleanup() {
      await stop();
      await rm(store, { recursive: true, force: true });
    },
  };
}
