// Erasure against the real NATS: DELETE /api/v1/results/{id} on a gateway in-process, with
// a request's events recorded straight into the stream (no other service runs), and the
// erasure sweep finishing what a call left and deleting what arrived after it.
import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { RequestErasure, type ChorusEvent } from "@chorus/contracts";
import { publishEvent } from "@chorus/platform";
import { acceptedRequest, completedEnd, eventually, isolatedPerFile, isolatedPerTest, testLogger } from "@chorus/testing";
import { borrowedDatabase, startTestGateway } from "../gateway.fixtures.ts";
import { ErrorBody } from "../http/errors.ts";
import { startErasureSweep } from "./completion.ts";

type TestGateway = Awaited<ReturnType<typeof startTestGateway>>;

const shared = isolatedPerFile({ database: true });
const env = isolatedPerTest({ nats: true });
let gateway: TestGateway;

beforeEach(async () => {
  gateway = await startTestGateway({ nats: env.nats, database: borrowedDatabase(shared.db.pool) });
  env.defer(() => gateway.stop());
});

const MARKER = "Ophelia Quarrington-Vance";

async function record(event: ChorusEvent): Promise<void> {
  await publishEvent(env.nats.js, env.nats.topology, event, { msgID: `${event.id}` });
}

/** The request's messages in the stream, as text. */
async function storedOf(requestId: string): Promise<string[]> {
  const { jsm, topology: t } = env.nats;
  const subjects = (await jsm.streams.info(t.streams.events, { subjects_filter: t.subjects.requestEvents(requestId) })).state.subjects ?? {};
  const stored: string[] = [];
  for (const subject of Object.keys(subjects)) {
    const m = await jsm.streams.getMessage(t.streams.events, { last_by_subj: subject });
    if (m) stored.push(m.string());
  }
  return stored;
}

async function endedRequest(): Promise<string> {
  const accepted = acceptedRequest(randomUUID(), { text: `A note about ${MARKER}.` });
  await record(accepted);
  await record(completedEnd(null, { requestId: accepted.request_id, data: { agents: ["summarizer"] } }));
  return accepted.request_id;
}

const erase = (id: string) => fetch(`${gateway.url}/api/v1/results/${id}`, { method: "DELETE" });

describe("DELETE /api/v1/results/{id}", () => {
  it("leaves only the tombstone in the stream, answers 410 to reads after it, and answers the same when asked again", async () => {
    const id = await endedRequest();
    expect((await storedOf(id)).join("\n")).toContain(MARKER);

    const res = await erase(id);
    expect(res.status).toBe(200);
    const erasure = RequestErasure.parse(await res.json());
    expect(erasure).toMatchObject({ request_id: id, erased_by_key: null, erased_events: 2 });

    const left = await storedOf(id);
    expect(left).toHaveLength(1);
    expect(left[0]).not.toContain(MARKER);
    expect(JSON.parse(left[0] ?? "{}")).toMatchObject({ type: "RequestErased", request_id: id, data: { status: "completed", agents: ["summarizer"] } });

    for (const path of [`/api/v1/results/${id}`, `/api/v1/results/${id}/events`]) {
      const read = await fetch(`${gateway.url}${path}`);
      expect(read.status, path).toBe(410);
      expect(ErrorBody.parse(await read.json())).toMatchObject({ error: "Gone", request_id: id });
    }
    const again = await erase(id);
    expect(again.status).toBe(200);
    expect(RequestErasure.parse(await again.json())).toEqual(erasure);
  });

  it("refuses a request that has not ended (409) and one it does not know (404)", async () => {
    const accepted = acceptedRequest(randomUUID(), { text: `Still running: ${MARKER}.` });
    await record(accepted);
    const running = await erase(accepted.request_id);
    expect(running.status).toBe(409);
    expect(ErrorBody.parse(await running.json()).error).toBe("NotEnded");
    expect((await storedOf(accepted.request_id)).join("\n")).toContain(MARKER);

    expect((await erase(randomUUID())).status).toBe(404);
    // Another tenant's request is not found, and stays.
    const other = acceptedRequest(randomUUID(), { text: MARKER });
    await record({ ...other, tenant_id: "someone-else" });
    await record(completedEnd(null, { requestId: other.request_id, tenantId: "someone-else" }));
    expect((await erase(other.request_id)).status).toBe(404);
    expect(await storedOf(other.request_id)).toHaveLength(2);
  });

  it("deletes the request's dead letters and no one else's", async () => {
    const { js, jsm, topology: t } = env.nats;
    const id = await endedRequest();
    const mine = await js.publish(t.subjects.deadLetter(t.subjects.task("summarizer")), JSON.stringify({ type: "AgentTask", request_id: id, data: { text: MARKER } }));
    const theirs = await js.publish(t.subjects.deadLetter(t.subjects.task("summarizer")), JSON.stringify({ type: "AgentTask", request_id: randomUUID(), data: { text: "another" } }));
    const byEvent = await js.publish(t.subjects.deadLetter(t.subjects.requestEvent(id, "completed")), "not even JSON");

    expect((await erase(id)).status).toBe(200);
    const stored = async (seq: number) => (await jsm.streams.getMessage(t.streams.deadLetters, { seq }).catch(() => null)) !== null;
    expect(await stored(mine.seq)).toBe(false);
    expect(await stored(byEvent.seq)).toBe(false);
    expect(await stored(theirs.seq)).toBe(true);
  });
});

describe("the erasure sweep", () => {
  it("after a grace period, finishes an erasure cut short and deletes what the request recorded after it", async () => {
    const { jsm, topology: t } = env.nats;
    const id = await endedRequest();
    // A call that died after the tombstone: the request's events are all still there.
    await record({
      id: randomUUID(),
      type: "RequestErased",
      version: 1,
      request_id: id,
      tenant_id: "default",
      occurred_at: new Date().toISOString(),
      correlation_id: "corr-erase",
      data: { erased_by_key: null, status: "completed", orchestration_mode: "parallel", agents: ["summarizer"], created_at: new Date().toISOString(), erased_events: 2 },
    });
    // In flight when it was erased: a late outcome, recorded after the tombstone.
    await record({
      id: randomUUID(),
      type: "AgentCompleted",
      version: 1,
      request_id: id,
      tenant_id: "default",
      occurred_at: new Date().toISOString(),
      correlation_id: "corr-late",
      data: { agent: "summarizer", provider: "local", model: "m", output: { summary: MARKER, key_points: [] }, duration_ms: 1, usage: null },
    });
    expect(await storedOf(id)).toHaveLength(4);
    const sweep = await startErasureSweep({ ...env.nats, logger: testLogger, clock: () => new Date(), sweepAfterMs: 2_000 });
    env.defer(() => sweep.stop());
    await eventually(async () => ((await storedOf(id)).length === 1 ? true : undefined), 30_000);
    expect((await storedOf(id))[0]).not.toContain(MARKER);
    // Swept, then done with: nothing of it waits on the durable any more.
    await eventually(async () => ((await jsm.consumers.info(t.streams.events, "gateway-erasures")).num_ack_pending === 0 ? true : undefined), 30_000);
  });
});
