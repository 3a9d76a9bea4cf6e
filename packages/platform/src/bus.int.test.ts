import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { messageIds, type ChorusEvent } from "@chorus/contracts";
import { isolatedNats, testLogger, eventually, type IsolatedNats } from "@chorus/testing";
import { ensureDurable, publishEvent, publishValidated, runConsumer, HEADER } from "./index.ts";

let nats: IsolatedNats;
beforeEach(async () => {
  nats = await isolatedNats();
});
afterEach(async () => {
  await nats.cleanup();
});

function accepted(requestId: string): ChorusEvent {
  return {
    id: randomUUID(),
    type: "RequestAccepted",
    version: 1,
    request_id: requestId,
    tenant_id: "default",
    occurred_at: new Date().toISOString(),
    correlation_id: "corr-1",
    data: {
      text: "hello there, world",
      orchestration_mode: "parallel",
      agents: ["summarizer"],
      webhook: null,
      idempotency_key: null,
      fingerprint: null,
      agent_timeout_ms: 1000,
    },
  };
}

describe("the bus", () => {
  it("drops a second publish with the same message id as a duplicate", async () => {
    const id = randomUUID();
    const first = await publishEvent(nats.js, nats.topology, accepted(id), { msgID: messageIds.accepted(id) });
    const second = await publishEvent(nats.js, nats.topology, accepted(id), { msgID: messageIds.accepted(id) });
    expect(first.duplicate).toBe(false);
    expect(second.duplicate).toBe(true);
    expect(second.seq).toBe(first.seq);
  });

  it("refuses to publish an event that does not match its schema", async () => {
    const bad = { ...accepted(randomUUID()), data: { text: 42 } } as unknown as ChorusEvent;
    await expect(publishEvent(nats.js, nats.topology, bad, { msgID: "x" })).rejects.toThrow();
  });

  it("hands valid messages to the handler and dead-letters a poison message with its reason", async () => {
    const t = nats.topology;
    await ensureDurable(nats.jsm, { stream: t.streams.commands, durable: "test", filterSubject: t.subjects.submit, ackWaitMs: 5000, maxDeliver: 3, maxAckPending: 10 });
    const Schema = z.object({ n: z.number() });
    const seen: number[] = [];
    const consumer = await runConsumer({
      js: nats.js, topology: t, stream: t.streams.commands, durable: "test", schema: Schema, concurrency: 2, maxDeliver: 3, logger: testLogger,
      handle: async (m) => { seen.push(m.n); },
    });
    await publishValidated(nats.js, t.subjects.submit, Schema, { n: 1 }, { msgID: "a" });
    await nats.js.publish(t.subjects.submit, "{not json", { msgID: "b" });
    await nats.js.publish(t.subjects.submit, JSON.stringify({ n: "two" }), { msgID: "c" });
    await eventually(() => (seen.length === 1 ? true : undefined));
    const dlq = await nats.jsm.streams.info(t.streams.deadLetters);
    await eventually(async () => ((await nats.jsm.streams.info(t.streams.deadLetters)).state.messages === 2 ? true : undefined));
    const first = await nats.jsm.streams.getMessage(t.streams.deadLetters, { seq: 1 });
    expect(first?.subject).toBe(t.subjects.deadLetter(t.subjects.submit));
    expect(first?.header.get(HEADER.reason)).toMatch(/malformed JSON|invalid message/);
    expect(dlq).toBeDefined();
    await consumer.stop();
    // The work queue is empty: the poison messages were terminated, not left to redeliver.
    await eventually(async () => ((await nats.jsm.streams.info(t.streams.commands)).state.messages === 0 ? true : undefined));
  });

  it("redelivers after a handler failure and dead-letters on the last delivery", async () => {
    const t = nats.topology;
    await ensureDurable(nats.jsm, { stream: t.streams.commands, durable: "flaky", filterSubject: t.subjects.submit, ackWaitMs: 5000, maxDeliver: 2, maxAckPending: 10 });
    const Schema = z.object({ n: z.number() });
    const deliveries: number[] = [];
    const consumer = await runConsumer({
      js: nats.js, topology: t, stream: t.streams.commands, durable: "flaky", schema: Schema, concurrency: 1, maxDeliver: 2, logger: testLogger,
      retryDelayMs: () => 10,
      handle: async (_m, d) => { deliveries.push(d.deliveryCount); throw new Error("boom"); },
    });
    await publishValidated(nats.js, t.subjects.submit, Schema, { n: 1 }, { msgID: "a" });
    await eventually(async () => ((await nats.jsm.streams.info(t.streams.deadLetters)).state.messages === 1 ? true : undefined));
    expect(deliveries).toEqual([1, 2]);
    const dl = await nats.jsm.streams.getMessage(t.streams.deadLetters, { seq: 1 });
    expect(dl?.header.get(HEADER.reason)).toContain("failed after 2 deliveries: Error: boom");
    await consumer.stop();
  });

  it("dead-letters a message its handler still asks to retry on the last delivery, which the server would otherwise drop", async () => {
    const t = nats.topology;
    await ensureDurable(nats.jsm, { stream: t.streams.commands, durable: "waiting", filterSubject: t.subjects.submit, ackWaitMs: 5000, maxDeliver: 2, maxAckPending: 10 });
    const Schema = z.object({ n: z.number() });
    const deliveries: number[] = [];
    const consumer = await runConsumer({
      js: nats.js, topology: t, stream: t.streams.commands, durable: "waiting", schema: Schema, concurrency: 1, maxDeliver: 2, logger: testLogger,
      handle: async (_m, d) => { deliveries.push(d.deliveryCount); return { retryInMs: 10 }; },
    });
    await publishValidated(nats.js, t.subjects.submit, Schema, { n: 1 }, { msgID: "a" });
    await eventually(async () => ((await nats.jsm.streams.info(t.streams.deadLetters)).state.messages === 1 ? true : undefined));
    expect(deliveries).toEqual([1, 2]);
    const dl = await nats.jsm.streams.getMessage(t.streams.deadLetters, { seq: 1 });
    expect(dl?.header.get(HEADER.reason)).toBe("still to be retried after 2 deliveries");
    await eventually(async () => ((await nats.jsm.streams.info(t.streams.commands)).state.messages === 0 ? true : undefined));
    await consumer.stop();
  });

  it("runs a handler again in place while JetStream does not answer, without using up a delivery", async () => {
    const t = nats.topology;
    await ensureDurable(nats.jsm, { stream: t.streams.commands, durable: "outage", filterSubject: t.subjects.submit, ackWaitMs: 5000, maxDeliver: 1, maxAckPending: 10 });
    const Schema = z.object({ n: z.number() });
    const attempts: [number, boolean][] = [];
    const consumer = await runConsumer({
      js: nats.js, topology: t, stream: t.streams.commands, durable: "outage", schema: Schema, concurrency: 1, maxDeliver: 1, logger: testLogger,
      handle: async (_m, d) => {
        attempts.push([d.deliveryCount, d.handledBefore]);
        // No stream stores this subject: JetStream has no responder for it, as while a stream elects its leader.
        if (attempts.length < 3) await nats.js.publish(`${t.prefix}.nowhere`, "x");
      },
    });
    await publishValidated(nats.js, t.subjects.submit, Schema, { n: 1 }, { msgID: "a" });
    await eventually(async () => ((await nats.jsm.streams.info(t.streams.commands)).state.messages === 0 ? true : undefined));
    // Three runs of one delivery, which was then acked: with max_deliver 1, a redelivery would
    // have been a dead letter. The runs again are told that an earlier one may have died midway.
    expect(attempts).toEqual([[1, false], [1, true], [1, true]]);
    expect((await nats.jsm.streams.info(t.streams.deadLetters)).state.messages).toBe(0);
    await consumer.stop();
  });

  it("keeps messages that wait for a free slot from passing their ack wait, so each is handled once", async () => {
    const t = nats.topology;
    // Each handler outlasts the ack wait twice over, so the later messages wait longer than it for their turn.
    await ensureDurable(nats.jsm, { stream: t.streams.commands, durable: "slow", filterSubject: t.subjects.submit, ackWaitMs: 1_000, maxDeliver: 5, maxAckPending: 10 });
    const Schema = z.object({ n: z.number() });
    const handled: { n: number; deliveryCount: number }[] = [];
    const consumer = await runConsumer({
      js: nats.js, topology: t, stream: t.streams.commands, durable: "slow", schema: Schema, concurrency: 2, maxDeliver: 5, logger: testLogger,
      handle: async (m, d) => {
        handled.push({ n: m.n, deliveryCount: d.deliveryCount });
        // A handler keeps its own message alive, as the agents' provider calls do.
        for (let i = 0; i < 5; i++) {
          await new Promise((r) => setTimeout(r, 500));
          d.working();
        }
      },
    });
    for (const n of [1, 2, 3, 4]) await publishValidated(nats.js, t.subjects.submit, Schema, { n }, { msgID: `slow-${n}` });
    // Done when the work queue is empty: every message acked, so none can be redelivered from here on.
    await eventually(async () => ((await nats.jsm.streams.info(t.streams.commands)).state.messages === 0 ? true : undefined), 30_000, 100);
    await consumer.stop();
    expect(handled.toSorted((a, b) => a.n - b.n)).toEqual([
      { n: 1, deliveryCount: 1 },
      { n: 2, deliveryCount: 1 },
      { n: 3, deliveryCount: 1 },
      { n: 4, deliveryCount: 1 },
    ]);
    // The server's own count: four deliveries, none of them a redelivery (a copy still
    // waiting in the client's buffer when the queue emptied would only show up here).
    const info = await nats.jsm.consumers.info(t.streams.commands, "slow");
    expect({ delivered: info.delivered.consumer_seq, redelivered: info.num_redelivered }).toEqual({ delivered: 4, redelivered: 0 });
  });

  it("holds no more than its slots and pull-ahead, and stops asking for more until a slot frees", async () => {
    const t = nats.topology;
    await ensureDurable(nats.jsm, { stream: t.streams.commands, durable: "held", filterSubject: t.subjects.submit, ackWaitMs: 30_000, maxDeliver: 5, maxAckPending: 100 });
    const Schema = z.object({ n: z.number() });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const handled: number[] = [];
    const consumer = await runConsumer({
      js: nats.js, topology: t, stream: t.streams.commands, durable: "held", schema: Schema, concurrency: 1, pullAhead: 2, maxDeliver: 5, logger: testLogger,
      handle: async (m) => {
        await released;
        handled.push(m.n);
      },
    });
    for (const n of [1, 2, 3, 4, 5, 6]) await publishValidated(nats.js, t.subjects.submit, Schema, { n }, { msgID: `held-${n}` });
    // One running, two waiting, and no pull request open: nothing more can arrive.
    const held = await eventually(async () => {
      const info = await nats.jsm.consumers.info(t.streams.commands, "held");
      return info.num_ack_pending === 3 && info.num_waiting === 0 ? info : undefined;
    });
    expect(held.num_pending).toBe(3);
    release();
    await eventually(() => (handled.length === 6 ? true : undefined));
    await consumer.stop();
    expect(handled).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
