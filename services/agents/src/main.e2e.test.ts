// End-to-end tests of the agents process as deployed: `node src/main.ts` with its
// environment, probes, a task through to its outcome, the gRPC Analyze behind its token,
// and a clean SIGTERM.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { completionReply, eventually, freePort, isolatedPerTest, recordedEventsOf, startOpenAiServer } from "@chorus/testing";
import { agentTask, ofType, publishTask, tasksLeft } from "./agent-tasks.fixtures.ts";
import { TEST_AGENT_GRPC_TOKEN, agentGrpcClients } from "./grpc/agent-grpc.fixtures.ts";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));

// The rate-limit and provider-health buckets live under the test's prefix, so the NATS clean-up removes them.
const isolated = isolatedPerTest({ nats: true });

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, [MAIN], {
    // gRPC on an ephemeral port unless a test names one, so parallel tests do not collide.
    env: { PATH: process.env.PATH ?? "", ...isolated.nats.env, LOG_LEVEL: "warn", GRPC_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  isolated.defer(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  // Read (and so not left to fill the pipe) by the test that wants it, else discarded.
  child.stdout?.on("data", () => undefined);
  const exited = once(child, "exit").then(([code]) => ({ code: code as number | null, stderr }));
  return { child, exited };
}

/** The one line a process exiting on a bad configuration writes to stderr: JSON, at pino's fatal level. */
function exitLine(stderr: string): { msg: string } {
  const line = JSON.parse(stderr.trim()) as { level: number; exit_code: number; msg: string };
  expect(line).toMatchObject({ level: 60, exit_code: 78 });
  return line;
}

async function get(port: number, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.json() };
}

describe("the agents process", () => {
  it("becomes ready, completes a task, and stops cleanly on SIGTERM", async () => {
    const port = await freePort();
    // Every start recorded: AGENT_STARTED_AFTER_MS reaches the task consumer.
    const { child, exited } = run({ PORT: String(port), AGENT: "sentiment", AGENT_PROVIDER: "local", AGENT_STARTED_AFTER_MS: "0" });

    const ready = await eventually(async () => {
      const r = await get(port, "/readyz");
      return r.status === 200 ? r.body : undefined;
    });
    expect(ready).toMatchObject({ status: "ready", checks: { nats: { ok: true }, consumers: { ok: true }, provider: { ok: true } } });
    expect((await get(port, "/livez")).status).toBe(200);

    const task = agentTask("sentiment");
    await publishTask(isolated.nats, task);
    const events = await eventually(async () => {
      const es = await recordedEventsOf(isolated.nats, task.request_id);
      return ofType(es, "AgentCompleted").length === 1 ? es : undefined;
    });
    expect(events.map((e) => e.type)).toEqual(["AgentStarted", "AgentCompleted"]);
    expect(ofType(events, "AgentCompleted")[0]?.data).toMatchObject({ agent: "sentiment", provider: "local", model: "wink-sentiment", started_at: events[0]?.occurred_at });
    await eventually(async () => ((await tasksLeft(isolated.nats)) === 0 ? true : undefined));

    child.kill("SIGTERM");
    expect((await exited).code).toBe(0);
  });

  it("runs on any OpenAI-compatible server named by OPENAI_BASE_URL, and logs the provider it chose", async () => {
    const server = await startOpenAiServer();
    try {
      server.respondWith(() => completionReply({ label: "positive", score: 0.7, confidence: 0.9 }, { usage: { prompt_tokens: 90, completion_tokens: 10, total_tokens: 100 } }));
      const port = await freePort();
      const { child, exited } = run({
        PORT: String(port),
        GRPC_PORT: String(await freePort()),
        AGENT: "sentiment",
        AGENT_PROVIDER: "auto",
        OPENAI_API_KEY: "sk-e2e",
        OPENAI_BASE_URL: server.baseURL,
        OPENAI_MODEL: "scripted-model",
        OPENAI_RPM_LIMIT: "600",
        LOG_LEVEL: "info",
      });
      let stdout = "";
      child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));

      const ready = await eventually(async () => {
        const r = await get(port, "/readyz");
        return r.status === 200 ? r.body : undefined;
      });
      expect(ready).toMatchObject({ checks: { provider: { ok: true } } });
      const task = agentTask("sentiment");
      await publishTask(isolated.nats, task);
      const completed = await eventually(async () => ofType(await recordedEventsOf(isolated.nats, task.request_id), "AgentCompleted")[0]);
      expect(completed.data).toMatchObject({ provider: "openai", usage: { total_tokens: 100 } });
      expect(server.chatRequests()[0]?.body?.model).toBe("scripted-model");
      // A server of one's own has no token budget unless one is set (OpenAI's tier-1 limits are OpenAI's).
      const starting = stdout.split("\n").find((line) => line.includes("agents starting with the openai provider"));
      expect(JSON.parse(starting ?? "{}")).toMatchObject({ rpm_limit: 600, tpm_limit: "none", max_concurrency: 256 });

      child.kill("SIGTERM");
      expect((await exited).code).toBe(0);
    } finally {
      await server.close();
    }
  });

  it("answers gRPC Analyze only with AGENT_GRPC_TOKEN, and caps its text at MAX_TEXT_LENGTH", async () => {
    const [port, grpcPort] = [await freePort(), await freePort()];
    const { child, exited } = run({
      PORT: String(port),
      GRPC_PORT: String(grpcPort),
      AGENT: "sentiment",
      AGENT_PROVIDER: "local",
      AGENT_GRPC_TOKEN: TEST_AGENT_GRPC_TOKEN,
      MAX_TEXT_LENGTH: "30",
    });
    await eventually(async () => ((await get(port, "/readyz")).status === 200 ? true : undefined));
    const grpc = agentGrpcClients(grpcPort);
    try {
      await expect(grpc.analyze({ agent: "sentiment", text: "What a lovely, sunny day." })).resolves.toMatchObject({ agent: "sentiment", provider: "local" });
      await expect(grpc.analyze({ agent: "sentiment", text: "What a lovely, sunny day." }, { token: null })).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
      await expect(grpc.analyze({ agent: "sentiment", text: "What a lovely, sunny day." }, { token: "x".repeat(40) })).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
      await expect(grpc.analyze({ agent: "sentiment", text: "What a lovely, sunny day, and long." })).rejects.toMatchObject({
        code: status.INVALID_ARGUMENT,
        details: expect.stringContaining("at most 30 (MAX_TEXT_LENGTH)"),
      });
    } finally {
      grpc.close();
    }
    child.kill("SIGTERM");
    expect((await exited).code).toBe(0);
  });

  it("refuses to start with an AGENT_GRPC_TOKEN shorter than 32 characters, without showing it", async () => {
    const { exited } = run({ PORT: String(await freePort()), AGENT_PROVIDER: "local", AGENT_GRPC_TOKEN: "short-token" });
    const { code, stderr } = await exited;
    expect(code).toBe(78);
    const { msg } = exitLine(stderr);
    expect(msg).toMatch(/AGENT_GRPC_TOKEN: must be at least 32 characters/);
    expect(msg).not.toContain("short-token");
  });

  it("refuses to start with the openai provider and neither a key nor a base URL", async () => {
    const { exited } = run({ PORT: String(await freePort()), AGENT_PROVIDER: "openai" });
    const { code, stderr } = await exited;
    expect(code).toBe(78);
    expect(exitLine(stderr).msg).toContain("OPENAI_API_KEY is not set");
  });

  it("refuses an unknown agent with a message naming the variable", async () => {
    const { exited } = run({ PORT: String(await freePort()), AGENT: "summarizer,translator" });
    const { code, stderr } = await exited;
    expect(code).toBe(78);
    expect(exitLine(stderr).msg).toMatch(/AGENT: unknown agent "translator"/);
  });
});
