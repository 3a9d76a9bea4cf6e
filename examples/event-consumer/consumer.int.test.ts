// The example consumer as a user runs it (a process on the real NATS, isolated topology):
// following one request prints its events in order and exits after the end event; a
// durable consumer of one event type prints that type only, and resumes after a restart.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChorusEvent } from "@chorus/contracts";
import { publishEvent } from "@chorus/platform";
import { isolatedNats, type IsolatedNats } from "@chorus/testing";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));
let nats: IsolatedNats;

// Each test its own streams: a durable consumer of every request must see only its test's requests.
beforeEach(async () => {
  nats = await isolatedNats();
});

afterEach(async () => {
  await nats?.cleanup();
});

type Line = { seq: number; type: string; request_id: string; data: Record<string, unknown> };

/** Runs the example; `lines` yields each printed event as it comes. */
function runExample(args: string[]) {
  const child = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, ...nats.env }, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const reader = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    async next(): Promise<Line> {
      const { value, done } = await reader.next();
      if (done) throw new Error(`the example ended before printing a line: ${stderr}`);
      return JSON.parse(value) as Line;
    },
    exited,
    stop: () => child.kill("SIGTERM"),
    stderr: () => stderr,
  };
}

function base(requestId: string) {
  return { id: randomUUID(), version: 1 as const, request_id: requestId, tenant_id: "default", occurred_at: new Date().toISOString(), correlation_id: "example" };
}

/** A quick run's request, as recorded: its agent answered before an AgentStarted was due, so the outcome carries its start. */
function requestEvents(requestId: string): ChorusEvent[] {
  const startedAt = new Date().toISOString();
  const result = { status: "completed" as const, provider: "local", model: "m", duration_ms: 3, usage: null, error: null, output: { label: "positive" as const, score: 0.5, confidence: 0.7 } };
  return [
    { ...base(requestId), type: "RequestAccepted", data: { text: "Some text to read.", orchestration_mode: "parallel", agents: ["sentiment"], webhook: null, idempotency_key: null, fingerprint: null, agent_timeout_ms: 5000 } },
    { ...base(requestId), type: "AgentDispatched", data: { agent: "sentiment", deadline_at: new Date(Date.now() + 5_000).toISOString(), context_from: [] } },
    { ...base(requestId), type: "AgentCompleted", data: { agent: "sentiment", provider: "local", model: "m", output: result.output, duration_ms: 3, usage: null, started_at: startedAt } },
    {
      ...base(requestId),
      type: "RequestCompleted",
      data: { status: "completed", results: { sentiment: result }, duration_ms: 5, webhook: null, orchestration_mode: "parallel", agents: ["sentiment"], created_at: new Date().toISOString() },
    },
    { ...base(requestId), type: "WebhookExhausted", data: { webhook_id: "w", attempts: 0, reason: "after the end: not part of the follow" } },
  ];
}

async function publish(events: ChorusEvent[]) {
  for (const e of events) await publishEvent(nats.js, nats.topology, e, { msgID: e.id });
}

describe("the example event consumer", () => {
  it("follows one request: prints its events in order, from accepted to the end, then exits", async () => {
    const id = randomUUID();
    await publish(requestEvents(id).slice(0, 2));
    const example = runExample(["request", id]);
    expect((await example.next()).type).toBe("RequestAccepted");
    expect((await example.next()).type).toBe("AgentDispatched");
    // The rest is recorded while it follows.
    const later = requestEvents(id).slice(2);
    await publish(later);
    const rest = [await example.next(), await example.next()];
    expect(rest.map((l) => l.type)).toEqual(["AgentCompleted", "RequestCompleted"]);
    expect(rest[0]?.data.started_at).toBe(later[0]?.type === "AgentCompleted" ? later[0].data.started_at : "missing");
    expect(rest.every((l) => l.request_id === id)).toBe(true);
    expect(await example.exited, example.stderr()).toBe(0);
  });

  it("consumes one event type of every request with a durable consumer that resumes after a restart", async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await publish(requestEvents(a));
    const first = runExample(["type", "RequestCompleted", "example-test"]);
    const seen = await first.next();
    expect(seen).toEqual(expect.objectContaining({ type: "RequestCompleted", request_id: a }));
    first.stop();
    expect(await first.exited, first.stderr()).toBe(0);

    await publish(requestEvents(b));
    const second = runExample(["type", "RequestCompleted", "example-test"]);
    // Acked before the restart, so only the new request's end comes.
    expect(await second.next()).toEqual(expect.objectContaining({ type: "RequestCompleted", request_id: b }));
    second.stop();
    expect(await second.exited, second.stderr()).toBe(0);
  });
});
