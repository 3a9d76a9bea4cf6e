// Chorus on a 3-node JetStream cluster with 3 replicas per stream. Every service starts
// with the cluster's first node, which cannot elect a meta leader alone: each must wait,
// alive and not ready, logging why, and become ready once the other two nodes join. Then
// the events stream's leader is SIGKILLed under load: every accepted request still ends,
// readable through the API, with one RequestAccepted and one end event in the stream.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isEndEvent, topology as topologyOf, type ChorusEvent, type RequestEndEvent, type RequestView, type Topology } from "@chorus/contracts";
import { connectNats, jetStreamClients, type JetStreamClient, type JetStreamManager, type NatsConnection } from "@chorus/platform";
import {
  allRecordedEvents,
  eventually,
  isolatedDatabase,
  natsCluster,
  spawnService,
  testLogger,
  uniqueName,
  untilReady,
  type IsolatedDatabase,
  type NatsCluster,
  type RunningService,
} from "@chorus/testing";

const SERVICES = ["orchestrator", "agents", "projector", "webhooks", "gateway"] as const;
const SUBMISSIONS = 50;
const TEXT = "The city council approved the new library on Monday, and residents in Austin were delighted with the plan.";

let cluster: NatsCluster;
let db: IsolatedDatabase;
let topology: Topology;
let nc: NatsConnection | undefined;
let js: JetStreamClient;
let jsm: JetStreamManager;
const services: RunningService[] = [];
/** What each service's /readyz said while it waited for the cluster. */
const whileWaiting = new Map<string, { status: number; body: { checks?: Record<string, { ok: boolean; error?: string }> } }>();

function gateway(): RunningService {
  const found = services.find((s) => s.name === "gateway");
  if (!found) throw new Error("no gateway");
  return found;
}

const retryLines = (s: RunningService) =>
  s
    .output()
    .split("\n")
    .filter((line) => line.includes("NATS is not available yet; retrying"));

beforeAll(async () => {
  db = await isolatedDatabase();
  cluster = await natsCluster({ size: 3 });
  const prefix = uniqueName("t");
  topology = topologyOf(prefix);
  const env = {
    NATS_URL: cluster.url,
    CHORUS_SUBJECT_PREFIX: prefix,
    NATS_STREAM_REPLICAS: "3",
    DATABASE_URL: db.url,
    AGENT_PROVIDER: "local",
    // A task whose ack was lost with the dead leader is delivered again after the ack wait:
    // short here, so that happens well inside the agents' deadline and no run is lost.
    AGENT_ACK_WAIT_MS: "5000",
    // Long enough for an election on a loaded 2-core CI machine (seen: one took a run past
    // 30 s): the test is about losing nothing, and a deadline shorter than the outage would
    // time an agent out that lost nothing.
    AGENT_TIMEOUT_MS: "60000",
    LOG_LEVEL: "warn",
  };
  const [first, ...others] = cluster.nodes;
  if (!first) throw new Error("empty cluster");
  // The services and the cluster's first node at the same moment. One node of three has no quorum, so no meta leader.
  const spawned = Promise.all(SERVICES.map(async (name) => services.push(await spawnService(name, env))));
  await first.start();
  await spawned;

  // Every service is alive and not ready, and has said (in JSON) that it waits for NATS.
  for (const s of services) {
    await eventually(async () => {
      if (s.process.exitCode !== null) throw new Error(`${s.name} exited:\n${s.output()}`);
      if (retryLines(s).length === 0) return undefined;
      const live = await fetch(`${s.probesUrl}/livez`);
      const ready = await fetch(`${s.probesUrl}/readyz`);
      whileWaiting.set(s.name, { status: ready.status, body: (await ready.json()) as never });
      return live.status === 200 ? true : undefined;
    }, 60_000, 100);
  }

  await Promise.all(others.map((n) => n.start()));
  await Promise.all(services.map((s) => untilReady(s, 60_000)));
  nc = await connectNats({ url: cluster.url, name: `test-${prefix}`, logger: testLogger });
  ({ js, jsm } = await jetStreamClients(nc));
}, 150_000);

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop("SIGKILL")));
  await nc?.close().catch(() => undefined);
  await cluster?.cleanup();
  await db?.cleanup();
});

type Accepted = { key: string; requestId: string };

/** Submits with an Idempotency-Key, again (the same key) while the gateway cannot take it: bounded, never more than one request per key. */
async function submit(i: number): Promise<Accepted> {
  const key = randomUUID();
  const body = JSON.stringify({ text: `${TEXT} (${i})`, orchestration_mode: i % 2 === 0 ? "parallel" : "sequential" });
  let last = "";
  for (let attempt = 0; attempt < 60; attempt++) {
    try {
      const res = await fetch(`${gateway().url}/api/v1/process`, {
        method: "POST",
        headers: { "content-type": "application/json", prefer: "respond-async", "idempotency-key": key },
        body,
      });
      const answer = (await res.json()) as RequestView;
      if (res.status === 200 || res.status === 202) return { key, requestId: answer.request_id };
      last = `${res.status} ${JSON.stringify(answer)}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`submission ${i} was never accepted: ${last}`);
}

/** Runs `count` submissions from `from`, `concurrency` at a time. */
async function submitAll(from: number, count: number, concurrency: number, into: Accepted[]): Promise<void> {
  let next = from;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < from + count) into.push(await submit(next++));
    }),
  );
}

async function eventsStreamLeader(): Promise<string> {
  return eventually(async () => (await jsm.streams.info(topology.streams.events)).cluster?.leader || undefined, 30_000, 100);
}

describe("Chorus on a 3-node NATS cluster", () => {
  it("every service waited for the cluster alive and not ready, saying why, with a JSON line per retry", () => {
    for (const s of services) {
      const seen = whileWaiting.get(s.name);
      expect(seen?.status, s.name).toBe(503);
      expect(seen?.body.checks?.startup?.error, s.name).toMatch(/NATS|JetStream|TimeoutError/);
      const line = JSON.parse(retryLines(s)[0] ?? "{}") as { level: number; service: string; step: string; attempt: number };
      expect(line, s.name).toMatchObject({ level: 40, service: s.name, attempt: 1 });
    }
  });

  it("loses no request and duplicates no event when the events stream's leader is SIGKILLed under load", async () => {
    const accepted: Accepted[] = [];
    await submitAll(0, SUBMISSIONS / 2, 5, accepted);

    const leader = cluster.node(await eventsStreamLeader());
    await leader.kill("SIGKILL");
    // The second half meets the election of a new leader.
    await submitAll(SUBMISSIONS / 2, SUBMISSIONS / 2, 5, accepted);
    const newLeader = await eventsStreamLeader();
    expect(newLeader).not.toBe(leader.name);
    await leader.start();

    expect(accepted).toHaveLength(SUBMISSIONS);
    expect(new Set(accepted.map((a) => a.requestId)).size).toBe(SUBMISSIONS);

    const ended = new Map<string, RequestView>();
    await eventually(
      async () => {
        for (const { requestId } of accepted) {
          if (ended.has(requestId)) continue;
          const res = await fetch(`${gateway().url}/api/v1/results/${requestId}`);
          if (res.status !== 200) continue;
          const view = (await res.json()) as RequestView;
          if (view.status === "completed" || view.status === "partial" || view.status === "failed") ended.set(requestId, view);
        }
        return ended.size === SUBMISSIONS ? true : undefined;
      },
      105_000,
      500,
    ).catch(async (err: unknown) => {
      // What each unended request got to, and each service's last warnings: enough to tell where it stopped.
      const all = await allRecordedEvents({ js, topology });
      const stuck = accepted
        .filter(({ requestId }) => !ended.has(requestId))
        .map(({ requestId }) => `${requestId}: ${all.filter((e) => e.request_id === requestId).map((e) => `${e.type}${"agent" in e.data ? `(${String(e.data.agent)})` : ""}`).join(" ")}`);
      const warnings = services.map((s) => `${s.name}:\n${s.output().split("\n").filter((l) => /"level":(40|50|60)/.test(l)).slice(-5).join("\n")}`);
      throw new Error(`${ended.size} of ${SUBMISSIONS} requests ended: ${String(err)}\n${stuck.join("\n")}\n${warnings.join("\n")}`);
    });

    const byRequest = new Map<string, ChorusEvent[]>();
    for (const e of await allRecordedEvents({ js, topology })) {
      byRequest.set(e.request_id, [...(byRequest.get(e.request_id) ?? []), e]);
    }
    for (const { requestId } of accepted) {
      const events = byRequest.get(requestId) ?? [];
      expect(events.filter((e) => e.type === "RequestAccepted"), requestId).toHaveLength(1);
      const ends = events.filter(isEndEvent);
      expect(ends, requestId).toHaveLength(1);
      const end = ends[0] as RequestEndEvent;
      expect(ended.get(requestId)?.status, requestId).toBe(end.type === "RequestFailed" ? "failed" : end.data.status);
      // Nothing lost to the failover: no agent timed out or was dead-lettered on the way.
      expect(end.data.status, `${requestId}: ${JSON.stringify(Object.values(end.data.results).map((r) => r?.error))}`).toBe("completed");
      // A redelivered task or a retried publish never records an agent's completion twice.
      const completions = events.flatMap((e) => (e.type === "AgentCompleted" ? [e.data.agent] : []));
      expect(completions.length, `${requestId}: ${completions.join(", ")}`).toBe(new Set(completions).size);
    }
  }, 180_000);

  it("kept every service running, and wrote nothing but JSON lines: no raw stack trace", () => {
    for (const s of services) {
      expect(s.process.exitCode, `${s.name} exited:\n${s.output()}`).toBeNull();
      const notJson = s
        .output()
        .split("\n")
        .filter((line) => line.trim() !== "")
        .filter((line) => {
          try {
            JSON.parse(line);
            return false;
          } catch {
            return true;
          }
        });
      expect(notJson, s.name).toEqual([]);
    }
  });
});
