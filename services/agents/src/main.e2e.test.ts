// End-to-end tests of the agents process as deployed: `node src/main.ts` with its
// environment, probes, a task through to its outcome, and a clean SIGTERM.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eventually, isolatedNats, type IsolatedNats } from "@chorus/testing";
import { agentTask, eventsOf, ofType, publishTask, tasksLeft } from "./test-fixtures.ts";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));

let nats: IsolatedNats;
let children: ChildProcess[];

beforeEach(async () => {
  nats = await isolatedNats();
  children = [];
});
afterEach(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await nats.cleanup();
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? "", ...nats.env, LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdout?.resume();
  const exited = once(child, "exit").then(([code]) => ({ code: code as number | null, stderr }));
  return { child, exited };
}

async function get(port: number, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.json() };
}

describe("the agents process", () => {
  it("becomes ready, completes a task, and stops cleanly on SIGTERM", async () => {
    const port = await freePort();
    const { child, exited } = run({ PORT: String(port), AGENT: "sentiment", AGENT_PROVIDER: "local" });

    const ready = await eventually(async () => {
      const r = await get(port, "/readyz");
      return r.status === 200 ? r.body : undefined;
    });
    expect(ready).toMatchObject({ status: "ready", checks: { nats: { ok: true }, consumers: { ok: true }, provider: { ok: true } } });
    expect((await get(port, "/livez")).status).toBe(200);

    const task = agentTask("sentiment");
    await publishTask(nats, task);
    const events = await eventually(async () => {
      const es = await eventsOf(nats, task.request_id);
      return ofType(es, "AgentCompleted").length === 1 ? es : undefined;
    });
    expect(ofType(events, "AgentCompleted")[0]?.data).toMatchObject({ agent: "sentiment", provider: "local", model: "wink-sentiment" });
    await eventually(async () => ((await tasksLeft(nats)) === 0 ? true : undefined));

    child.kill("SIGTERM");
    expect((await exited).code).toBe(0);
  });

  it("refuses to start with the openai provider, which this build does not have yet", async () => {
    const { exited } = run({ PORT: String(await freePort()), AGENT_PROVIDER: "openai" });
    const { code, stderr } = await exited;
    expect(code).toBe(78);
    expect(stderr).toContain("the openai provider is not available in this build yet");
  });

  it("refuses an unknown agent with a message naming the variable", async () => {
    const { exited } = run({ PORT: String(await freePort()), AGENT: "summarizer,translator" });
    const { code, stderr } = await exited;
    expect(code).toBe(78);
    expect(stderr).toMatch(/AGENT: unknown agent "translator"/);
  });
});
