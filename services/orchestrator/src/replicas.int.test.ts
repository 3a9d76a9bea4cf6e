// Two orchestrator replicas (two NATS connections) on the same durables, with every
// agent outcome published at once to make them race: each request still gets exactly
// one end, none is lost, and no task is dispatched twice.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connectNats, jetStreamClients, type NatsConnection } from "@chorus/platform";
import { eventually, isolatedNats, NATS_URL, testLogger, type IsolatedNats } from "@chorus/testing";
import { DURABLES, knownFacts, lastBySubjectLoader, startOrchestrator, type Orchestrator, type RequestLoader } from "./index.ts";
import { AGENTS, completeTask, readEvents, startFakeAgents, submit, type FakeAgents } from "./testing/fake-agents.ts";

const REQUESTS = 36;

let nats: IsolatedNats;
let connections: NatsConnection[] = [];
let replicas: Orchestrator[] = [];
let agents: FakeAgents | undefined;
/** State loads per replica: both must have taken part for the race to mean anything. */
let loads: number[] = [];

beforeEach(async () => {
  nats = await isolatedNats();
  connections = [];
  replicas = [];
  loads = [0, 0];
  for (const [i, name] of ["replica-a", "replica-b"].entries()) {
    const nc = await connectNats({ url: NATS_URL, name: `${nats.topology.prefix}-${name}`, logger: testLogger });
    connections.push(nc);
    const { js, jsm } = await jetStreamClients(nc);
    // Each replica keeps its own known facts, as in production: what one stores the other must still read.
    const facts = knownFacts();
    const load = lastBySubjectLoader(jsm, nats.topology, facts);
    const loadRequest: RequestLoader = (id, options) => {
      loads[i]!++;
      return load(id, options);
    };
    replicas.push(await startOrchestrator({ js, jsm, topology: nats.topology, logger: testLogger, agentTimeoutMs: 60_000, concurrency: 16, loadRequest, facts }));
  }
});

afterEach(async () => {
  await agents?.stop();
  await Promise.all(replicas.map((r) => r.stop()));
  await Promise.all(connections.map((nc) => nc.drain()));
  await nats.cleanup();
});

async function quiet(stream: string, durable: string) {
  await eventually(async () => {
    const info = await nats.jsm.consumers.info(stream, durable);
    return info.num_pending === 0 && info.num_ack_pending === 0 ? true : undefined;
  });
}

describe("two orchestrator replicas", () => {
  it("record exactly one end per request and dispatch no task twice when outcomes race", async () => {
    // The agents hold every task back, then answer them all at once.
    agents = await startFakeAgents(nats, AGENTS, () => undefined);
    const commands = await Promise.all(Array.from({ length: REQUESTS }, () => submit(nats, "parallel")));
    await eventually(() => (agents!.tasks.length >= REQUESTS * AGENTS.length ? true : undefined));
    await Promise.all(agents.tasks.map((task) => completeTask(nats.js, nats.topology, task)));

    const t = nats.topology;
    await eventually(async () => ((await readEvents(nats, t.subjects.requestEnds("completed"))).length >= REQUESTS ? true : undefined));
    // Let both replicas finish everything they were handed before counting.
    await quiet(t.streams.events, DURABLES.agentCompleted);
    await quiet(t.streams.commands, DURABLES.commands);
    await Promise.all(replicas.map((r) => r.stop()));

    const ends = await readEvents(nats, t.subjects.requestEnds("completed"));
    const endsPerRequest = new Map<string, number>();
    for (const e of ends) endsPerRequest.set(e.request_id, (endsPerRequest.get(e.request_id) ?? 0) + 1);
    expect([...endsPerRequest.keys()].sort()).toEqual(commands.map((c) => c.request_id).sort());
    expect([...endsPerRequest.values()].every((n) => n === 1)).toBe(true);
    expect(ends.every((e) => e.type === "RequestCompleted" && e.data.status === "completed")).toBe(true);
    expect(await readEvents(nats, t.subjects.requestEnds("failed"))).toEqual([]);

    const dispatches = new Set(agents.tasks.map((task) => `${task.request_id}:${task.data.agent}`));
    expect(agents.tasks).toHaveLength(REQUESTS * AGENTS.length);
    expect(dispatches.size).toBe(REQUESTS * AGENTS.length);
    expect(loads.every((n) => n > 0)).toBe(true);
  });
});
