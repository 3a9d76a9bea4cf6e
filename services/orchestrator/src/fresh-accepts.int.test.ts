// A new request's accept is decided on what the orchestrator knows, without reading the
// stream; what makes that safe is checked here on real NATS: a repeat of an accept that
// was already run, taken by a replica that knows nothing of it, stores nothing new and
// sends no task twice (message ids), and an accept older than half the duplicate window is
// read in full. Sequential requests: the orchestrator dispatches their agents (a parallel
// accept is its agents' own dispatch, and its decision is only the deadline check).
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { publishEvent } from "@chorus/platform";
import { eventually, isolatedPerTest, recordedEventsOf, testLogger, untilQuiet } from "@chorus/testing";
import { DURABLES, lastBySubjectLoader, startOrchestrator, type Orchestrator, type RequestLoader } from "./index.ts";
import { AGENTS, completeTask, isEnd, startFakeAgents, submit } from "./fake-agents.fixtures.ts";
import type { LoadOptions } from "./load-request.ts";

const env = isolatedPerTest({ nats: true });
let running: Orchestrator[] = [];

afterEach(async () => {
  await Promise.all(running.map((o) => o.stop()));
  running = [];
});

/** An orchestrator with facts of its own, recording how each load was asked for. */
async function orchestrator(duplicateWindowMs = 600_000): Promise<{ loads: LoadOptions[] }> {
  const loader = lastBySubjectLoader(env.nats.jsm, env.nats.topology);
  const loads: LoadOptions[] = [];
  const requests: RequestLoader = {
    load: (id, options = {}) => {
      loads.push(options);
      return loader.load(id, options);
    },
    remember: loader.remember,
  };
  running.push(
    await startOrchestrator({ js: env.nats.js, jsm: env.nats.jsm, topology: env.nats.topology, logger: testLogger, agentTimeoutMs: 30_000, concurrency: 4, requests, duplicateWindowMs }),
  );
  return { loads };
}

/** Fake agents that complete every task, and one request of `mode` submitted and run to its end. */
async function runToEnd(mode: "sequential" | "parallel") {
  const agents = await startFakeAgents(env.nats, AGENTS, (task) => completeTask(env.nats.js, env.nats.topology, task).then(() => undefined));
  env.defer(() => agents.stop());
  const accepted = await submit(env.nats, mode);
  const events = await eventually(async () => {
    const recorded = await recordedEventsOf(env.nats, accepted.request_id);
    return recorded.some(isEnd) ? recorded : undefined;
  });
  return { agents, accepted, events };
}

describe("fresh accepts", () => {
  it("are dispatched without a read, and a repeat on a replica that knows nothing of the request stores nothing and sends no task twice", async () => {
    const first = await orchestrator();
    const { agents, accepted, events } = await runToEnd("sequential");
    expect(first.loads[0]).toMatchObject({ knownOnly: true });
    await Promise.all(running.map((o) => o.stop()));
    running = [];

    const second = await orchestrator();
    const again = await publishEvent(env.nats.js, env.nats.topology, { ...accepted, id: randomUUID() }, { msgID: `again-${accepted.request_id}` });
    await untilQuiet(env.nats, env.nats.topology.streams.events, DURABLES.accepted, again.seq);
    expect(second.loads).toEqual([expect.objectContaining({ knownOnly: true })]);
    const after = await recordedEventsOf(env.nats, accepted.request_id);
    // The copy itself, and nothing the repeated decision published: its dispatches were duplicates.
    expect(after).toHaveLength(events.length + 1);
    expect(agents.tasks.filter((t) => t.request_id === accepted.request_id)).toHaveLength(AGENTS.length);
  });

  it("of a parallel request (version 2, the accept is the dispatch) are decided without a read: only the agents' deadline check is stored", async () => {
    const first = await orchestrator();
    const { accepted, events } = await runToEnd("parallel");
    expect(first.loads[0]).toMatchObject({ knownOnly: true });
    expect(events.map((e) => e.type).filter((type) => type === "AgentDispatched")).toEqual([]);
    const t = env.nats.topology;
    const check = await env.nats.jsm.streams.getMessage(t.streams.commands, { last_by_subj: t.subjects.agentDeadline });
    expect(check?.json<{ request_id: string; data: { agents: string[]; deadline_at: string } }>()).toMatchObject({
      request_id: accepted.request_id,
      data: { agents: AGENTS, deadline_at: accepted.data.dispatch?.deadline_at },
    });
    expect((await env.nats.jsm.streams.info(t.streams.tasks)).state.last_seq).toBe(0);
  });

  it("leave the end-first load to a deadline check that comes due", async () => {
    const o = await orchestrator();
    const { accepted } = await runToEnd("parallel");
    const t = env.nats.topology;
    const scheduled = await env.nats.jsm.streams.getMessage(t.streams.commands, { last_by_subj: t.subjects.agentDeadline });
    const check = scheduled?.json<{ data: Record<string, unknown> }>();
    // The same check, come due: its deadline passed a second ago.
    const due = { ...check, id: randomUUID(), data: { ...check?.data, deadline_at: new Date(Date.now() - 1_000).toISOString() } };
    const loadsBefore = o.loads.length;
    await env.nats.js.publish(t.subjects.agentDeadline, JSON.stringify(due), { msgID: `due-${accepted.request_id}` });
    // The scheduled check itself stays pending (not due for 30 s): wait for the due one's load.
    await eventually(() => (o.loads.length > loadsBefore ? true : undefined));
    expect(o.loads.slice(loadsBefore)).toEqual([expect.objectContaining({ endFirst: true })]);
    expect(o.loads.slice(0, loadsBefore).filter((load) => load.endFirst)).toEqual([]);
  });

  it("are read in full once older than half the duplicate window, so an old replay runs nothing", async () => {
    const agents = await startFakeAgents(env.nats, AGENTS, (task) => completeTask(env.nats.js, env.nats.topology, task).then(() => undefined));
    env.defer(() => agents.stop());
    await orchestrator();
    const accepted = await submit(env.nats, "sequential");
    await eventually(async () => ((await recordedEventsOf(env.nats, accepted.request_id)).some(isEnd) ? true : undefined));
    await Promise.all(running.map((o) => o.stop()));
    running = [];

    const replica = await orchestrator(2_000);
    const replay = { ...accepted, id: randomUUID(), occurred_at: new Date(Date.now() - 3_600_000).toISOString() };
    const stored = await publishEvent(env.nats.js, env.nats.topology, replay, { msgID: `replay-${accepted.request_id}` });
    await untilQuiet(env.nats, env.nats.topology.streams.events, DURABLES.accepted, stored.seq);
    expect(replica.loads).toEqual([expect.objectContaining({ knownOnly: false })]);
    expect((await recordedEventsOf(env.nats, accepted.request_id)).filter((e) => e.type === "AgentDispatched")).toHaveLength(AGENTS.length);
    expect(agents.tasks.filter((t) => t.request_id === accepted.request_id)).toHaveLength(AGENTS.length);
  });
});
