// No orphans: a service that `npm start` started ends by itself when its supervisor dies,
// even by SIGKILL (its IPC channel closes), so it does not hold its ports for the next start.
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { eventually, freePort, isolatedPerFile } from "@chorus/testing";

const env = isolatedPerFile({ nats: true });

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts `services` under the stand-in supervisor with `vars`; the pid of the service process, once `port` answers ready. */
async function superviseUntilReady(services: string, vars: Record<string, string>, port: number) {
  const supervisor = spawn(process.execPath, ["tests/ops/supervisor.fixtures.ts", services], {
    env: { PATH: process.env.PATH ?? "", ...env.nats.env, LOG_LEVEL: "warn", ...vars },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const pid = await new Promise<number>((resolve, reject) => {
    supervisor.stdout.once("data", (d: Buffer) => resolve((JSON.parse(d.toString("utf8").split("\n")[0] ?? "{}") as { pid: number }).pid));
    supervisor.once("exit", (code) => reject(new Error(`the supervisor exited with ${code}`)));
  });
  env.defer(() => {
    if (alive(pid)) process.kill(pid, "SIGKILL");
  });
  // Running and ready: its port answers.
  await eventually(async () => ((await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0)) === 200 ? true : undefined), 30_000);
  return { supervisor, pid };
}

describe("a service started by npm start's supervisor", () => {
  it("stops by itself, freeing its port, when the supervisor is SIGKILLed", async () => {
    const port = await freePort();
    const { supervisor, pid } = await superviseUntilReady("orchestrator", { PORT: String(port) }, port);

    supervisor.kill("SIGKILL");
    await eventually(() => (alive(pid) ? undefined : true), 30_000);
    expect(await fetch(`http://127.0.0.1:${port}/livez`).then(() => "answered", () => "refused")).toBe("refused");
  });

  it("stops with every service of its process, freeing all their ports, when they share one", async () => {
    const [orchestrator, webhooks] = [await freePort(), await freePort()];
    const { supervisor, pid } = await superviseUntilReady("orchestrator,webhooks", { ORCHESTRATOR_PORT: String(orchestrator), WEBHOOKS_PORT: String(webhooks) }, orchestrator);
    await eventually(async () => ((await fetch(`http://127.0.0.1:${webhooks}/readyz`).then((r) => r.status, () => 0)) === 200 ? true : undefined), 30_000);

    supervisor.kill("SIGKILL");
    await eventually(() => (alive(pid) ? undefined : true), 30_000);
    for (const port of [orchestrator, webhooks]) expect(await fetch(`http://127.0.0.1:${port}/livez`).then(() => "answered", () => "refused")).toBe("refused");
  });
});
