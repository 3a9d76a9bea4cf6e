// Two orchestrator replicas (two NATS connections) on the same durables, with every
// agent outcome published at once to make them race: each request still gets exactly
// one end, none is lost, and no task is dispatched twice.
import { beforeEach, describe, expect, it } from "vitest";
import { connectNats, jetStreamClients } from "@chorus/platform";
import { eventually, isolatedPerTest, NATS_URL, recordedEventsOn, testLogger, untilQuiet } from "@chorus/testing";
import { DURABLES, lastBySubjectLoader, startOrchestrator, type Orchestrator, type RequestLoader } from "./index.ts";
import { AGENTS, completeTask, startFakeAgents, submit } from "./fake-agents.fixtures.ts";

const REQUESTS = 36;

const env = isolatedPerTest({ nats: true });
let replicas: Orchestrator[] = [];
/** State loads per replica: both must have taken part for the race to mean anything. */
let loads: number[] = [];

beforeEach(async () => {
  replicas = [];
  loads = [0, 0];
  for (const [i, name] of ["replica-a", "replica-b"].entries()) {
    const nc = await connectNats({ url: NATS_URL, name: `${env.nats.topology.prefix}-${name}`, logger: testLogger });
    env.defer(() => nc.drain());
    const { js, jsm } = await jetStreamClients(nc);
    // Each replica keeps its own known facts, as in production: what one stores the other must still read.
    const loader = lastBySubjectLoader(jsm, env.nats.topology);
    const requests: RequestLoader = {
      load: (id, options) => {
        loads[i]!++;
        return loader.load(id, options);
      },
      remember: loader.remember,
    };
    const replica = await startOrchestrator({ js, jsm, topology: env.nats.topology, logger: testLogger, agentTimeoutMs: 60_000, concurrency: 16, requests });
    env.defer(() => replica.stop());
    replicas.push(replica);
  }
});

describe("two orchestrator replicas", () => {
  it("record exactly one end per request and dispatch no task twice when outcomes race", async () => {
    // The agents hold every task back, then answer them all at once.
    const agents = await startFakeAgents(env.nats, AGENTS, () => undefined);
    env.defer(() => agents.stop());
    const commands = await Promise.all(Array.from({ length: REQUESTS }, () => submit(env.nats, "parallel")));
    await eventually(() => (agents.tasks.length >= REQUESTS * AGENTS.length ? true : undefined));
    await Promise.all(agents.tasks.map((task) => completeTask(env.nats.js, env.nats.topology, task)));

    const t = env.nats.topology;
    await eventually(async () => ((await recordedEventsOn(env.nats, t.subjects.requestEnds("completed"))).length >= REQUESTS ? true : undefined));
    // Let both replicas finish everything they were handed before counting.
    await untilQuiet(env.nats, t.streams.events, DURABLES.agentCompleted);
    await untilQuiet(env.nats, t.streams.commands, DURABLES.commands);
    await Promise.all(replicas.map((r) => r.stop()));

    const ends = await recordedEventsOn(env.nats, t.subjects.requestEnds("completed"));
    const endsPerRequest = new Map<string, number>();
    for (const e of ends) endsPerRequest.set(e.request_id, (endsPerRequest.get(e.request_id) ?? 0) + 1);
    expect([...endsPerRequest.keys()].sort()).toEqual(commands.map((c) => c.request_id).sort());
    expect([...endsPerRequest.values()].every((n) => n === 1)).toBe(true);
    expect(ends.every((e) => e.type === "RequestCompleted" && e.data.status === "completed")).toBe(true);
    expect(await recordedEventsOn(env.nats, t.subjects.requestEnds("failed"))).toEqual([]);

    const dispatches = new Set(agents.tasks.map((task) => `${task.request_id}:${task.data.agent}`));
    expect(agents.tasks).toHaveLength(REQUESTS * AGENTS.length);
    expect(dispatches.size).toBe(REQUESTS * AGENTS.length);
    expect(loads.every((n) => n > 0)).toBe(true);
  });
});
