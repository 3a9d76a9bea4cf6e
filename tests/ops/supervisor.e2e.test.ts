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

describe("a service started by npm start's supervisor", () => {
  it("stops by itself, freeing its port, when the supervisor is SIGKILLed", async () => {
    const port = await freePort();
    const supervisor = spawn(process.execPath, ["tests/ops/supervisor.fixtures.ts", "orchestrator"], {
      env: { PATH: process.env.PATH ?? "", ...env.nats.env, PORT: String(port), LOG_LEVEL: "warn" },
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

    supervisor.kill("SIGKILL");
    await eventually(() => (alive(pid) ? undefined : true), 30_000);
    expect(await fetch(`http://127.0.0.1:${port}/livez`).then(() => "answered", () => "refused")).toBe("refused");
  });
});
