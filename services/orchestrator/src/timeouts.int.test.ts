// Per-agent timeouts on real NATS: an agent that never answers is recorded as failed
// with a timeout at its deadline, and the request still reaches its end.
import { beforeEach, describe, expect, it } from "vitest";
import type { EventOf } from "@chorus/contracts";
import { eventually, isolatedPerTest, recordedEventsOf, testLogger } from "@chorus/testing";
import { DURABLES, startOrchestrator, type Orchestrator } from "./index.ts";
import { completeTask, isEnd, OUTPUTS, startFakeAgents, submit, type FakeAgents } from "./fake-agents.fixtures.ts";

const TIMEOUT_MS = 300;

const env = isolatedPerTest({ nats: true });
let orchestrator: Orchestrator;
let agents: FakeAgents;

// The timeout a request runs under is the one recorded when it was accepted (the gateway's);
// the orchestrator's own applies to SubmitRequest commands of an earlier gateway.
const start = () => startOrchestrator({ js: env.nats.js, jsm: env.nats.jsm, topology: env.nats.topology, logger: testLogger, agentTimeoutMs: TIMEOUT_MS, concurrency: 4 });

beforeEach(async () => {
  orchestrator = await start();
  // The orchestrator running when the test ends: a test may restart it.
  env.defer(() => orchestrator.stop());
  // The summarizer takes its tasks and never answers; the others answer at once.
  agents = await startFakeAgents(env.nats, ["summarizer", "sentiment", "entity_extractor"], async (task) => {
    if (task.data.agent !== "summarizer") await completeTask(env.nats.js, env.nats.topology, task);
  });
  env.defer(() => agents.stop());
});

async function endOf(requestId: string) {
  const events = await eventually(async () => {
    const all = await recordedEventsOf(env.nats, requestId);
    return all.some(isEnd) ? all : undefined;
  });
  return { events, end: events.find(isEnd) as EventOf<"RequestCompleted"> | EventOf<"RequestFailed"> };
}

const timeouts = (events: { type: string }[]) =>
  events.filter((e): e is EventOf<"AgentFailed"> => e.type === "AgentFailed" && (e as EventOf<"AgentFailed">).data.error.code === "timeout");

describe("agent timeouts", () => {
  it("records a timeout for an agent that never answers and ends the request failed", async () => {
    const command = await submit(env.nats, "parallel", ["summarizer"], { agentTimeoutMs: TIMEOUT_MS });
    const { events, end } = await endOf(command.request_id);
    expect(timeouts(events).map((e) => e.data.agent)).toEqual(["summarizer"]);
    expect(timeouts(events)[0]?.data).toMatchObject({ provider: null, model: null });
    expect(end.type).toBe("RequestFailed");
    expect(end.data.status).toBe("failed");
    expect(end.data.results.summarizer).toMatchObject({ status: "failed", error: { code: "timeout" } });
  });

  it("ends partial when the other agents succeed", async () => {
    const command = await submit(env.nats, "parallel", undefined, { agentTimeoutMs: TIMEOUT_MS });
    const { events, end } = await endOf(command.request_id);
    expect(timeouts(events)).toHaveLength(1);
    expect(end.type).toBe("RequestCompleted");
    expect(end.data.status).toBe("partial");
    expect(end.data.results.sentiment?.status).toBe("completed");
    expect(end.data.results.summarizer?.status).toBe("failed");
  });

  it("continues a sequential chain after a timeout, without the silent agent's output in the context", async () => {
    const command = await submit(env.nats, "sequential", ["summarizer", "sentiment", "entity_extractor"], { agentTimeoutMs: TIMEOUT_MS });
    const { end } = await endOf(command.request_id);
    expect(end.data.status).toBe("partial");
    const tasks = agents.tasks.filter((t) => t.request_id === command.request_id);
    expect(tasks.map((t) => t.data.agent)).toEqual(["summarizer", "sentiment", "entity_extractor"]);
    expect(tasks[1]?.data.context).toEqual({});
    expect(tasks[2]?.data.context).toEqual({ sentiment: OUTPUTS.sentiment });
  });

  it("fires a deadline scheduled before a restart of the orchestrator", async () => {
    const command = await submit(env.nats, "parallel", ["summarizer"], { agentTimeoutMs: TIMEOUT_MS });
    // The agents run from the accept itself: wait until the orchestrator's deadline check is
    // stored and handed to its consumer, then for a round trip on the connection they share,
    // so the check has reached the orchestrator (a message still on its way when its consumer
    // stops would come back only after its ack wait, 30 s).
    const t = env.nats.topology;
    await eventually(async () => ((await env.nats.jsm.consumers.info(t.streams.commands, DURABLES.deadlines)).delivered.consumer_seq >= 1 ? true : undefined));
    await env.nats.nc.flush();
    await orchestrator.stop();
    orchestrator = await start();
    const { events, end } = await endOf(command.request_id);
    expect(timeouts(events)).toHaveLength(1);
    expect(end.data.status).toBe("failed");
  });
});
