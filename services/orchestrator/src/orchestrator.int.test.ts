// The orchestrator shell on real NATS with fake agents: parallel and sequential requests
// run to their end with the right events, a repeated accept runs nothing twice, and a
// SubmitRequest command of an earlier gateway is still accepted and run.
import { beforeEach, describe, expect, it } from "vitest";
import { SubmitRequest, type CommandOf, type EventOf } from "@chorus/contracts";
import { publishEvent, publishValidated } from "@chorus/platform";
import { eventually, isolatedPerTest, recordedEventsOf, testLogger, untilQuiet } from "@chorus/testing";
import { DURABLES, startOrchestrator } from "./index.ts";
import { AGENTS, completeTask, isEnd, OUTPUTS, startFakeAgents, submit, submitCommandOfEarlierGateway, type FakeAgents } from "./fake-agents.fixtures.ts";

const env = isolatedPerTest({ nats: true });
let agents: FakeAgents;

beforeEach(async () => {
  const orchestrator = await startOrchestrator({ js: env.nats.js, jsm: env.nats.jsm, topology: env.nats.topology, logger: testLogger, agentTimeoutMs: 30_000, concurrency: 8 });
  env.defer(() => orchestrator.stop());
  agents = await startFakeAgents(env.nats, AGENTS, (task) => completeTask(env.nats.js, env.nats.topology, task).then(() => undefined));
  env.defer(() => agents.stop());
});

/** Messages ever stored on this test's tasks stream (a work queue: acked tasks are removed, the sequence stays). */
async function tasksEverStored(): Promise<number> {
  return (await env.nats.jsm.streams.info(env.nats.topology.streams.tasks)).state.last_seq;
}

async function eventsUntilEnd(requestId: string) {
  return eventually(async () => {
    const events = await recordedEventsOf(env.nats, requestId);
    return events.some(isEnd) ? events : undefined;
  });
}

describe("the orchestrator", () => {
  it("runs a parallel request: every agent runs from the accept, with no dispatch or task message, and the request ends completed", async () => {
    const command = await submit(env.nats, "parallel");
    const events = await eventsUntilEnd(command.request_id);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe("RequestAccepted");
    expect(types.at(-1)).toBe("RequestCompleted");
    expect(types.filter((t) => t === "AgentCompleted")).toHaveLength(3);
    expect(types).toHaveLength(5);
    expect(await tasksEverStored()).toBe(0);
    const end = events.at(-1) as EventOf<"RequestCompleted">;
    expect(end.data.status).toBe("completed");
    expect(end.data.results.sentiment?.output).toEqual(OUTPUTS.sentiment);
    expect(end.correlation_id).toBe(command.correlation_id);
    const tasks = agents.tasks.filter((t) => t.request_id === command.request_id);
    expect(tasks.map((t) => t.data.agent).sort()).toEqual([...AGENTS].sort());
    expect(tasks.every((t) => Object.keys(t.data.context).length === 0)).toBe(true);
  });

  it("runs a parallel accept of version 1 (a stream written by an earlier gateway) through the orchestrator's dispatches and tasks", async () => {
    const accepted = await submit(env.nats, "parallel", AGENTS, { version: 1 });
    const events = await eventsUntilEnd(accepted.request_id);
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === "AgentDispatched")).toHaveLength(3);
    expect(types.filter((t) => t === "AgentCompleted")).toHaveLength(3);
    expect(types).toHaveLength(8);
    expect(await tasksEverStored()).toBe(3);
    // Each agent ran once: from its task, not from the accept as well.
    expect(agents.tasks.filter((t) => t.request_id === accepted.request_id)).toHaveLength(3);
    expect((events.at(-1) as EventOf<"RequestCompleted">).data.status).toBe("completed");
  });

  it("runs a sequential request one agent after another, passing earlier outputs on as context", async () => {
    const command = await submit(env.nats, "sequential", ["sentiment", "summarizer", "entity_extractor"]);
    const events = await eventsUntilEnd(command.request_id);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe("RequestAccepted");
    expect(types.at(-1)).toBe("RequestCompleted");
    expect(types).toHaveLength(8);
    const agentOf = (type: string) => events.filter((e) => e.type === type).map((e) => (e as EventOf<"AgentCompleted">).data.agent);
    expect(agentOf("AgentCompleted")).toEqual(["sentiment", "summarizer", "entity_extractor"]);
    expect(agentOf("AgentDispatched")).toEqual(["sentiment", "summarizer", "entity_extractor"]);
    // Each later agent is dispatched only after the one before it has completed.
    const index = (type: string, agent: string) => events.findIndex((e) => e.type === type && (e as EventOf<"AgentCompleted">).data.agent === agent);
    expect(index("AgentCompleted", "sentiment")).toBeLessThan(index("AgentDispatched", "summarizer"));
    expect(index("AgentCompleted", "summarizer")).toBeLessThan(index("AgentDispatched", "entity_extractor"));

    const tasks = agents.tasks.filter((t) => t.request_id === command.request_id);
    expect(tasks.map((t) => t.data.agent)).toEqual(["sentiment", "summarizer", "entity_extractor"]);
    expect(tasks[0]?.data.context).toEqual({});
    expect(tasks[1]?.data.context).toEqual({ sentiment: OUTPUTS.sentiment });
    expect(tasks[2]?.data.context).toEqual({ sentiment: OUTPUTS.sentiment, summarizer: OUTPUTS.summarizer });
    expect((events.at(-1) as EventOf<"RequestCompleted">).data.status).toBe("completed");
  });

  it("runs each agent once when the same RequestAccepted of a sequential request is stored twice", async () => {
    const accepted = await submit(env.nats, "sequential", ["summarizer", "sentiment"], { msgID: "first-publish" });
    const events = await eventsUntilEnd(accepted.request_id);
    // A second copy that escaped deduplication (another message id) finds the request under way.
    const again = await publishEvent(env.nats.js, env.nats.topology, accepted, { msgID: "second-publish" });
    await untilQuiet(env.nats, env.nats.topology.streams.events, DURABLES.accepted, again.seq);
    const after = await recordedEventsOf(env.nats, accepted.request_id);
    expect(after).toHaveLength(events.length + 1);
    expect(after.filter((e) => e.type === "RequestAccepted")).toHaveLength(2);
    expect(after.filter(isEnd)).toHaveLength(1);
    expect(agents.tasks.filter((t) => t.request_id === accepted.request_id)).toHaveLength(2);
  });

  it("records one outcome per agent and one end when the same parallel RequestAccepted is stored twice", async () => {
    const accepted = await submit(env.nats, "parallel", ["summarizer", "sentiment"], { msgID: "first-publish" });
    const events = await eventsUntilEnd(accepted.request_id);
    const again = await publishEvent(env.nats.js, env.nats.topology, accepted, { msgID: "second-publish" });
    await untilQuiet(env.nats, env.nats.topology.streams.events, DURABLES.accepted, again.seq);
    // The agents run the copy too (it is their dispatch), but their outcomes share a message id.
    await eventually(() => (agents.tasks.filter((t) => t.request_id === accepted.request_id).length === 4 ? true : undefined));
    const after = await recordedEventsOf(env.nats, accepted.request_id);
    expect(after).toHaveLength(events.length + 1);
    expect(after.filter(isEnd)).toHaveLength(1);
    expect(after.filter((e) => e.type === "AgentCompleted")).toHaveLength(2);
  });

  it("accepts and runs a SubmitRequest command of an earlier gateway, once even when it arrives twice", async () => {
    const command: CommandOf<"SubmitRequest"> = await submitCommandOfEarlierGateway(env.nats, "sequential", ["sentiment", "summarizer"], "first-publish");
    const events = await eventsUntilEnd(command.request_id);
    expect(events.map((e) => e.type)).toEqual(["RequestAccepted", "AgentDispatched", "AgentCompleted", "AgentDispatched", "AgentCompleted", "RequestCompleted"]);
    expect(events[0]).toMatchObject({ request_id: command.request_id, correlation_id: command.correlation_id, data: { text: command.data.text, agent_timeout_ms: 30_000 } });
    const again = await publishValidated(env.nats.js, env.nats.topology.subjects.submit, SubmitRequest, command, { msgID: "second-publish" });
    await untilQuiet(env.nats, env.nats.topology.streams.commands, DURABLES.commands, again.seq);
    expect(await recordedEventsOf(env.nats, command.request_id)).toHaveLength(events.length);
    expect(agents.tasks.filter((t) => t.request_id === command.request_id)).toHaveLength(2);
  });
});
