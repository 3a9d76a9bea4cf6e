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
});
