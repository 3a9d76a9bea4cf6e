// JetStream refusing writes for want of space, on real NATS: an event stream given a tiny
// max_bytes refuses new events (never drops old ones), the refusal is recognised and
// reported, and a handler whose publish is refused waits in place (as through an outage)
// and finishes once space returns.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { messageIds } from "@chorus/contracts";
import { acceptedRequest, eventually, isolatedPerTest, testLogger } from "@chorus/testing";
import { ensureDurable, isStoreFull, publishEvent, publishValidated, recentStoreRefusal, runConsumer } from "./index.ts";

const env = isolatedPerTest({ nats: true });

const accepted = (requestId: string) => acceptedRequest(requestId, { text: "x".repeat(400) });

const publishAccepted = (id: string) => publishEvent(env.nats.js, env.nats.topology, accepted(id), { msgID: messageIds.accepted(id) });

/** Caps the event stream at what it holds now plus `room` bytes. */
async function capEvents(room: number): Promise<void> {
  const stream = env.nats.topology.streams.events;
  const { state } = await env.nats.jsm.streams.info(stream);
  await env.nats.jsm.streams.update(stream, { max_bytes: state.bytes + room });
}

const uncapEvents = () => env.nats.jsm.streams.update(env.nats.topology.streams.events, { max_bytes: -1 });

describe("a full event store", () => {
  it("refuses a new event, keeps every old one, and says why until a write succeeds again", async () => {
    const first = randomUUID();
    await publishAccepted(first);
    await capEvents(100);
    const refused = await publishAccepted(randomUUID()).catch((err: unknown) => err);
    expect(isStoreFull(refused)).toBe(true);
    expect(recentStoreRefusal()?.error).toMatch(/refused to store .*maximum bytes exceeded/);
    const stored = await env.nats.jsm.streams.getMessage(env.nats.topology.streams.events, { last_by_subj: env.nats.topology.subjects.requestEvent(first, "accepted") });
    expect(stored?.seq).toBeGreaterThan(0);

    await uncapEvents();
    await publishAccepted(randomUUID());
    expect(recentStoreRefusal()).toBeUndefined();
  });

  it("keeps a handler whose publish is refused waiting in place, not redelivered, and finishes it once space returns", async () => {
    const t = env.nats.topology;
    const Job = z.object({ request_id: z.string() });
    await ensureDurable(env.nats.jsm, { stream: t.streams.commands, durable: "jobs", filterSubject: t.subjects.submit, ackWaitMs: 30_000, maxDeliver: 2, maxAckPending: 10 });
    const runs: number[] = [];
    let done = 0;
    const consumer = await runConsumer({
      js: env.nats.js,
      topology: t,
      stream: t.streams.commands,
      durable: "jobs",
      schema: Job,
      concurrency: 1,
      maxDeliver: 2,
      logger: testLogger,
      handle: async (job, delivery) => {
        runs.push(delivery.deliveryCount);
        await publishAccepted(job.request_id);
        done += 1;
      },
    });
    env.defer(() => consumer.stop());
    await publishAccepted(randomUUID());
    await capEvents(50);
    const id = randomUUID();
    await publishValidated(env.nats.js, t.subjects.submit, Job, { request_id: id }, { msgID: `job-${id}` });

    await eventually(() => (runs.length > 2 ? true : undefined));
    expect(done).toBe(0);
    await uncapEvents();
    await eventually(() => (done > 0 ? true : undefined));
    expect(done).toBe(1);
    // Run again in place, never redelivered: the message kept its first delivery.
    expect(new Set(runs)).toEqual(new Set([1]));
    expect((await env.nats.jsm.streams.info(t.streams.deadLetters)).state.messages).toBe(0);
    const stored = await env.nats.jsm.streams.getMessage(t.streams.events, { last_by_subj: t.subjects.requestEvent(id, "accepted") });
    expect(stored?.seq).toBeGreaterThan(0);
  });
});
