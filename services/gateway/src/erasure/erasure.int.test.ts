// The gateway's side of erasure against the real NATS: DELETE /api/v1/results/{id} on a
// gateway in-process, with a request's events recorded straight into the stream and no
// projector running. The tombstone is recorded, and from then on every read answers 410
// although the request's events are still there (deleting them is the projector's: see
// services/projector/src/erasure, and tests/e2e/erasure.e2e.test.ts for the whole).
import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { RequestErasure, type ChorusEvent } from "@chorus/contracts";
import { lastRequestEvent, publishEvent, sql } from "@chorus/platform";
import { acceptedRequest, completedEnd, isolatedPerFile, isolatedPerTest, requestRoutes } from "@chorus/testing";
import { borrowedDatabase, runDownstreamDouble, startTestGateway } from "../gateway.fixtures.ts";
import { ErrorBody } from "../http/errors.ts";

type TestGateway = Awaited<ReturnType<typeof startTestGateway>>;

const shared = isolatedPerFile({ database: true });
const env = isolatedPerTest({ nats: true });
let gateway: TestGateway;

beforeEach(async () => {
  gateway = await startTestGateway({ nats: env.nats, database: borrowedDatabase(shared.db.pool), settings: { eraseWaitMs: 300 } });
  env.defer(() => gateway.stop());
});

async function record(event: ChorusEvent): Promise<void> {
  await publishEvent(env.nats.js, env.nats.topology, event, { msgID: event.id });
}

async function endedRequest(): Promise<string> {
  const accepted = acceptedRequest(randomUUID(), { text: "A note about Ophelia Quarrington-Vance." });
  await record(accepted);
  await record(completedEnd({ url: "https://hooks.example.test/in", secret: "v1.aaaa.bbbb.cccc" }, { requestId: accepted.request_id, data: { agents: ["summarizer"] } }));
  return accepted.request_id;
}

const erase = (id: string) => fetch(`${gateway.url}/api/v1/results/${id}`, { method: "DELETE" });

describe("DELETE /api/v1/results/{id}", () => {
  it("records the tombstone, answers 202 while nothing deletes the events, and every read answers 410 from then on", async () => {
    const id = await endedRequest();
    expect((await fetch(`${gateway.url}/api/v1/results/${id}`)).status).toBe(200);

    const res = await erase(id);
    expect(res.status).toBe(202);
    const erasure = RequestErasure.parse(await res.json());
    expect(erasure).toMatchObject({ request_id: id, erased_by_key: null, erased_events: 2 });
    const tombstone = await lastRequestEvent(env.nats.jsm, env.nats.topology, id, "erased");
    expect(tombstone?.event).toMatchObject({ type: "RequestErased", tenant_id: "default", occurred_at: erasure.erased_at, data: { status: "completed", agents: ["summarizer"], erased_events: 2 } });

    for (const [method, path] of requestRoutes(id)) {
      const read = await fetch(`${gateway.url}${path}`, { method });
      expect(read.status, path).toBe(410);
      expect(ErrorBody.parse(await read.json()), path).toMatchObject({ error: "Gone", request_id: id });
    }
    // Asked again: the same erasure.
    const again = await erase(id);
    expect(again.status).toBe(202);
    expect(RequestErasure.parse(await again.json())).toEqual(erasure);
  });

  it("is seen at once by another gateway: a read right after the DELETE answers 410 there too", async () => {
    const other = await startTestGateway({ nats: env.nats, database: borrowedDatabase(shared.db.pool) });
    env.defer(() => other.stop());
    const id = await endedRequest();
    expect((await fetch(`${other.url}/api/v1/results/${id}`)).status).toBe(200);
    expect((await erase(id)).status).toBe(202);
    for (const [method, path] of requestRoutes(id)) expect((await fetch(`${other.url}${path}`, { method })).status, path).toBe(410);
  });

  it("refuses a request that has not ended (409), one it does not know (404) and another tenant's (404)", async () => {
    const accepted = acceptedRequest(randomUUID());
    await record(accepted);
    const running = await erase(accepted.request_id);
    expect(running.status).toBe(409);
    expect(ErrorBody.parse(await running.json()).error).toBe("NotEnded");

    expect((await erase(randomUUID())).status).toBe(404);
    const other = acceptedRequest(randomUUID());
    await record({ ...other, tenant_id: "someone-else" });
    await record(completedEnd(null, { requestId: other.request_id, tenantId: "someone-else" }));
    expect((await erase(other.request_id)).status).toBe(404);
    expect(await lastRequestEvent(env.nats.jsm, env.nats.topology, other.request_id, "erased")).toBeUndefined();
  });

  it("erases again a request the read models hold as erased but a restored stream holds whole", async () => {
    const id = await endedRequest();
    // The read model's row of an erasure made before the archive the stream was restored from.
    await shared.db.pool.query(sql.unsafe`
      INSERT INTO read_model.requests (request_id, tenant_id, status, orchestration_mode, agents, text_length, correlation_id, created_at, last_event_seq, erased_at)
      VALUES (${id}, 'default', 'completed', 'parallel', ${sql.array(["summarizer"], "text")}, 0, 'corr', now(), 1, now())`);
    expect((await fetch(`${gateway.url}/api/v1/results/${id}`)).status).toBe(410);
    expect((await erase(id)).status).toBe(202);
    expect((await lastRequestEvent(env.nats.jsm, env.nats.topology, id, "erased"))?.event).toMatchObject({ type: "RequestErased", data: { status: "completed" } });
  });

  it("will not run a new request under the id of an erased one: its Idempotency-Key answers 410", async () => {
    const double = await runDownstreamDouble(env.nats);
    env.defer(() => double.stop());
    const key = `erase-${randomUUID()}`;
    const first = await gateway.post({ text: "Keyed and then erased." }, { "Idempotency-Key": key });
    expect(first.status).toBe(200);
    const { request_id: id } = (await first.json()) as { request_id: string };
    expect((await erase(id)).status).toBe(202);
    // As after the projector's deletes: only the tombstone is left.
    for (const suffix of ["accepted", "completed"]) {
      const m = await lastRequestEvent(env.nats.jsm, env.nats.topology, id, suffix);
      if (m) await env.nats.jsm.streams.deleteMessage(env.nats.topology.streams.events, m.seq);
    }
    const reused = await gateway.post({ text: "Keyed and then erased." }, { "Idempotency-Key": key });
    expect(reused.status).toBe(410);
    expect(ErrorBody.parse(await reused.json())).toMatchObject({ error: "Gone", request_id: id });
  });
});
