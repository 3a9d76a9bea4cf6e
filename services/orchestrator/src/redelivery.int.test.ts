// Inputs that come again after the duplicate window has passed, when message ids no
// longer collapse anything: the state check alone must keep the request's end single.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SubmitRequest, type EventOf } from "@chorus/contracts";
import { publishEvent, publishValidated } from "@chorus/platform";
import { eventually, isolatedNats, testLogger, type IsolatedNats } from "@chorus/testing";
import { DURABLES, startOrchestrator, type Orchestrator } from "./index.ts";
import { completeTask, isEnd, requestEvents, startFakeAgents, submit, submitCommand, type FakeAgents } from "./testing/fake-agents.ts";

let nats: IsolatedNats;
let orchestrator: Orchestrator;
let agents: FakeAgents;

beforeEach(async () => {
  nats = await isolatedNats({ duplicateWindowMs: 1_000 });
  orchestrator = await startOrchestrator({ js: nats.js, jsm: nats.jsm, topology: nats.topology, logger: testLogger, agentTimeoutMs: 30_000, concurrency: 4 });
  agents = await startFakeAgents(nats, ["summarizer", "sentiment"], (task) => completeTask(nats.js, nats.topology, task).then(() => undefined));
});

afterEach(async () => {
  await agents.stop();
  await orchestrator.stop();
  await nats.cleanup();
});

/** Resolves once a message id published now is no longer a duplicate of one published before. */
async function pastDuplicateWindow() {
  const probe = `${nats.topology.prefix}.ev.probe`;
  await nats.js.publish(probe, "", { msgID: "probe" });
  await eventually(async () => ((await nats.js.publish(probe, "", { msgID: "probe" })).duplicate ? undefined : true), 20_000, 100);
}

async function quiet(stream: string, durable: string) {
  await eventually(async () => {
    const info = await nats.jsm.consumers.info(stream, durable);
    return info.num_pending === 0 && info.num_ack_pending === 0 ? true : undefined;
  });
}

describe("an input redelivered after the duplicate window", () => {
  it("records no second end for a repeated outcome, and no second run for a repeated accept or submit", async () => {
    const command = await submit(nats, "parallel", ["summarizer", "sentiment"]);
    const before = await eventually(async () => {
      const events = await requestEvents(nats, command.request_id);
      return events.some(isEnd) ? events : undefined;
    });
    await pastDuplicateWindow();

    const outcome = before.find((e) => e.type === "AgentCompleted") as EventOf<"AgentCompleted">;
    const republished = await publishEvent(nats.js, nats.topology, outcome, { msgID: "redelivered-outcome" });
    expect(republished.duplicate).toBe(false);
    const reaccepted = await publishEvent(nats.js, nats.topology, command, { msgID: "redelivered-accepted" });
    // The same request as an earlier gateway's command: it finds the request accepted and ended.
    await publishValidated(nats.js, nats.topology.subjects.submit, SubmitRequest, { ...submitCommand("parallel", ["summarizer", "sentiment"], command.request_id), correlation_id: command.correlation_id }, { msgID: "redelivered-submit" });

    await eventually(async () => ((await nats.jsm.consumers.info(nats.topology.streams.events, DURABLES.agentCompleted)).delivered.stream_seq >= republished.seq ? true : undefined));
    await eventually(async () => ((await nats.jsm.consumers.info(nats.topology.streams.events, DURABLES.accepted)).delivered.stream_seq >= reaccepted.seq ? true : undefined));
    await quiet(nats.topology.streams.events, DURABLES.agentCompleted);
    await quiet(nats.topology.streams.events, DURABLES.accepted);
    await quiet(nats.topology.streams.commands, DURABLES.commands);
    for (const agent of ["summarizer", "sentiment"]) await quiet(nats.topology.streams.tasks, `fake-${agent}`);

    const after = await requestEvents(nats, command.request_id);
    expect(after.filter(isEnd)).toHaveLength(1);
    expect(after.filter((e) => e.type === "RequestAccepted")).toHaveLength(2);
    expect(after.filter((e) => e.type === "AgentDispatched")).toHaveLength(2);
    // The only new events are the republished outcome and accept themselves.
    expect(after).toHaveLength(before.length + 2);
    expect(agents.tasks.filter((t) => t.request_id === command.request_id)).toHaveLength(2);
  });
});
