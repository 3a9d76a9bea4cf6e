// Inputs that come again after the duplicate window has passed, when message ids no
// longer collapse anything: the state check alone must keep the request's end single.
import { beforeEach, describe, expect, it } from "vitest";
import { SubmitRequest, type EventOf } from "@chorus/contracts";
import { publishEvent, publishValidated } from "@chorus/platform";
import { eventually, isolatedPerTest, recordedEventsOf, testLogger, untilQuiet } from "@chorus/testing";
import { DURABLES, startOrchestrator } from "./index.ts";
import { completeTask, isEnd, startFakeAgents, submit, submitCommand, type FakeAgents } from "./fake-agents.fixtures.ts";

const env = isolatedPerTest({ nats: { duplicateWindowMs: 1_000 } });
let agents: FakeAgents;

beforeEach(async () => {
  const orchestrator = await startOrchestrator({ js: env.nats.js, jsm: env.nats.jsm, topology: env.nats.topology, logger: testLogger, agentTimeoutMs: 30_000, concurrency: 4 });
  env.defer(() => orchestrator.stop());
  agents = await startFakeAgents(env.nats, ["summarizer", "sentiment"], (task) => completeTask(env.nats.js, env.nats.topology, task).then(() => undefined));
  env.defer(() => agents.stop());
});

/** Resolves once a message id published now is no longer a duplicate of one published before. */
async function pastDuplicateWindow() {
  const probe = `${env.nats.topology.prefix}.ev.probe`;
  await env.nats.js.publish(probe, "", { msgID: "probe" });
  await eventually(async () => ((await env.nats.js.publish(probe, "", { msgID: "probe" })).duplicate ? undefined : true), 20_000, 100);
}

describe("an input redelivered after the duplicate window", () => {
  it("records no second end for a repeated outcome, and no second run for a repeated accept or submit", async () => {
    // Sequential: the orchestrator dispatches each agent (a parallel accept is the agents' own dispatch).
    const command = await submit(env.nats, "sequential", ["summarizer", "sentiment"]);
    const before = await eventually(async () => {
      const events = await recordedEventsOf(env.nats, command.request_id);
      return events.some(isEnd) ? events : undefined;
    });
    await pastDuplicateWindow();

    const outcome = before.find((e) => e.type === "AgentCompleted") as EventOf<"AgentCompleted">;
    const republished = await publishEvent(env.nats.js, env.nats.topology, outcome, { msgID: "redelivered-outcome" });
    expect(republished.duplicate).toBe(false);
    const reaccepted = await publishEvent(env.nats.js, env.nats.topology, command, { msgID: "redelivered-accepted" });
    // The same request as an earlier gateway's command: it finds the request accepted and ended.
    await publishValidated(env.nats.js, env.nats.topology.subjects.submit, SubmitRequest, { ...submitCommand("sequential", ["summarizer", "sentiment"], command.request_id), correlation_id: command.correlation_id }, { msgID: "redelivered-submit" });

    const t = env.nats.topology;
    await untilQuiet(env.nats, t.streams.events, DURABLES.agentCompleted, republished.seq);
    await untilQuiet(env.nats, t.streams.events, DURABLES.accepted, reaccepted.seq);
    await untilQuiet(env.nats, t.streams.commands, DURABLES.commands);
    for (const agent of ["summarizer", "sentiment"]) await untilQuiet(env.nats, t.streams.tasks, `fake-${agent}`);

    const after = await recordedEventsOf(env.nats, command.request_id);
    expect(after.filter(isEnd)).toHaveLength(1);
    expect(after.filter((e) => e.type === "RequestAccepted")).toHaveLength(2);
    expect(after.filter((e) => e.type === "AgentDispatched")).toHaveLength(2);
    // The only new events are the republished outcome and accept themselves.
    expect(after).toHaveLength(before.length + 2);
    expect(agents.tasks.filter((t) => t.request_id === command.request_id)).toHaveLength(2);
  });
});
