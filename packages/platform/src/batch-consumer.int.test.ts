// runBatchConsumer on a real JetStream consumer: batches form from what arrives while one
// is handled, each message gets its own outcome, and failures redeliver or dead-letter
// (every dead letter counted in /metrics).
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { isolatedPerTest, testLogger, eventually } from "@chorus/testing";
import { ensureDurable, publishValidated, runBatchConsumer, HEADER } from "./index.ts";
import { runningTelemetry, startTelemetry } from "./telemetry.ts";

const Numbered = z.object({ n: z.number() });

// The metrics SDK first: instruments made before it would stay no-ops.
beforeAll(async () => void (await startTelemetry({ serviceName: "chorus-batch-consumer-test" })));
const env = isolatedPerTest({ nats: true });
beforeEach(async () => {
  const t = env.nats.topology;
  await ensureDurable(env.nats.jsm, { stream: t.streams.commands, durable: "batches", filterSubject: t.subjects.submit, ackWaitMs: 5_000, maxDeliver: 2, maxAckPending: 1_000 });
});

async function publish(from: number, count: number) {
  const t = env.nats.topology;
  await Promise.all(Array.from({ length: count }, (_, i) => publishValidated(env.nats.js, t.subjects.submit, Numbered, { n: from + i }, { msgID: `m-${from + i}` })));
}

async function start(handleBatch: Parameters<typeof runBatchConsumer<typeof Numbered>>[0]["handleBatch"], maxBatch = 50, lingerMs = 0) {
  const t = env.nats.topology;
  const consumer = await runBatchConsumer({
    js: env.nats.js, topology: t, stream: t.streams.commands, durable: "batches", schema: Numbered, maxBatch, maxDeliver: 2, logger: testLogger,
    retryDelayMs: () => 10,
    lingerMs,
    handleBatch,
  });
  env.defer(() => consumer.stop());
  return consumer;
}

const pendingOnCommands = async () => (await env.nats.jsm.streams.info(env.nats.topology.streams.commands)).state.messages;
const deadLetterCount = async () => (await env.nats.jsm.streams.info(env.nats.topology.streams.deadLetters)).state.messages;

/** The dead-letter counter's sample for this test's streams, from the Prometheus text /metrics serves. */
async function deadLettersCounted(): Promise<number> {
  const text = (await runningTelemetry()?.prometheusText()) ?? "";
  const line = text.split("\n").find((l) => l.startsWith("chorus_dead_letters_total{") && l.includes(`stream="${env.nats.topology.streams.commands}"`));
  return line ? Number(line.split(" ").at(-1)) : 0;
}

describe("consuming in batches", () => {
  it("hands over what arrived while a batch was handled as the next batch, each message once", async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const firstHeld = new Promise<void>((resolve) => (release = resolve));
    await start(async (items) => {
      batches.push(items.map((i) => i.message.n));
      // The first batch is held until the rest has arrived, so they must form one batch.
      if (batches.length === 1) await firstHeld;
      return items.map(() => undefined);
    });
    await publish(0, 1);
    await eventually(() => (batches.length === 1 ? true : undefined));
    await publish(1, 30);
    await eventually(async () => ((await env.nats.jsm.consumers.info(env.nats.topology.streams.commands, "batches")).num_pending === 0 ? true : undefined));
    release();
    await eventually(async () => ((await pendingOnCommands()) === 0 ? true : undefined));
    expect(batches[0]).toEqual([0]);
    expect(batches.length).toBeLessThan(31);
    expect(batches.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 31 }, (_, i) => i));
    expect(Math.max(...batches.map((b) => b.length))).toBeGreaterThan(1);
  });

  it("with a linger, gathers a trickle of messages into one batch", async () => {
    const batches: number[][] = [];
    await start(async (items) => {
      batches.push(items.map((i) => i.message.n));
      return items.map(() => undefined);
    }, 50, 2_000);
    // One at a time, each stored before the next is sent: without the linger, each would be a batch of its own.
    for (let n = 0; n < 5; n++) await publish(n, 1);
    await eventually(async () => ((await pendingOnCommands()) === 0 ? true : undefined));
    expect(batches.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4]);
    expect(batches[0]?.length).toBeGreaterThan(1);
  });

  it("does not linger over a full batch", async () => {
    const sizes: number[] = [];
    await start(async (items) => {
      sizes.push(items.length);
      return items.map(() => undefined);
    }, 5, 120_000);
    // Waiting out the linger would outlast the test's timeout.
    await publish(0, 5);
    await eventually(async () => ((await pendingOnCommands()) === 0 ? true : undefined));
    expect(sizes).toEqual([5]);
  });

  it("does not linger again over messages that waited out the previous batch", async () => {
    const LINGER_MS = 5_000;
    const handledAt: number[] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await start(async (items) => {
      handledAt.push(performance.now());
      // The first batch (full: no linger) is held longer than the linger, while the next message waits.
      if (handledAt.length === 1) await held;
      return items.map(() => undefined);
    }, 2, LINGER_MS);
    await publish(0, 2);
    await eventually(() => (handledAt.length === 1 ? true : undefined));
    await publish(2, 1);
    await eventually(async () => ((await env.nats.jsm.consumers.info(env.nats.topology.streams.commands, "batches")).num_ack_pending === 3 ? true : undefined));
    await new Promise((r) => setTimeout(r, LINGER_MS));
    const releasedAt = performance.now();
    release();
    await eventually(() => (handledAt.length === 2 ? true : undefined));
    // It arrived more than LINGER_MS ago: handled once the first batch is done, not a linger later.
    expect((handledAt[1] as number) - releasedAt).toBeLessThan(LINGER_MS / 2);
  });

  it("stops during a linger without handling or losing what it holds", async () => {
    const handled: number[] = [];
    const consumer = await start(async (items) => {
      handled.push(...items.map((i) => i.message.n));
      return items.map(() => undefined);
    }, 50, 120_000);
    await publish(0, 1);
    await eventually(async () => ((await env.nats.jsm.consumers.info(env.nats.topology.streams.commands, "batches")).num_ack_pending === 1 ? true : undefined));
    // Waiting out the linger would outlast the test's timeout.
    await consumer.stop();
    expect(handled).toEqual([]);
    const next: number[] = [];
    await start(async (items) => {
      next.push(...items.map((i) => i.message.n));
      return items.map(() => undefined);
    });
    await eventually(() => (next.length > 0 ? true : undefined));
    expect(next).toEqual([0]);
  });

  it("never hands over more than the batch size at once", async () => {
    const sizes: number[] = [];
    await publish(0, 40);
    await start(async (items) => {
      sizes.push(items.length);
      return items.map(() => undefined);
    }, 7);
    await eventually(async () => ((await pendingOnCommands()) === 0 ? true : undefined));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(40);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(7);
  });

  it("redelivers only the messages whose outcome asks for it", async () => {
    const seen: [number, number][] = [];
    await start(async (items) => {
      for (const i of items) seen.push([i.message.n, i.delivery.deliveryCount]);
      return items.map((i) => (i.message.n === 2 && i.delivery.deliveryCount === 1 ? { retryInMs: 10 } : undefined));
    });
    await publish(1, 3);
    await eventually(async () => ((await pendingOnCommands()) === 0 ? true : undefined));
    expect(seen.filter(([n]) => n === 2).map(([, d]) => d)).toEqual([1, 2]);
    expect(seen.filter(([n]) => n !== 2).map(([, d]) => d)).toEqual([1, 1]);
  });

  it("dead-letters a poison message alone, and every message of a batch that keeps failing on its last delivery", async () => {
    const t = env.nats.topology;
    const handled: number[] = [];
    await start(async (items) => {
      handled.push(...items.map((i) => i.message.n));
      if (items.some((i) => i.message.n === 13)) throw new Error("unlucky batch");
      return items.map(() => undefined);
    }, 1);
    await env.nats.js.publish(t.subjects.submit, "{not json", { msgID: "poison" });
    await publish(13, 1);
    await publish(20, 1);
    await eventually(async () => ((await env.nats.jsm.streams.info(t.streams.deadLetters)).state.messages === 2 ? true : undefined));
    const reasons = await Promise.all([1, 2].map(async (seq) => (await env.nats.jsm.streams.getMessage(t.streams.deadLetters, { seq }))?.header.get(HEADER.reason)));
    expect(reasons).toEqual(expect.arrayContaining([expect.stringMatching(/malformed JSON/), expect.stringContaining("failed after 2 deliveries: Error: unlucky batch")]));
    await eventually(() => (handled.includes(20) ? true : undefined));
    expect(handled.filter((n) => n === 13)).toHaveLength(2);
  });

  it("lets a handler dead-letter one message of a batch while the rest are acked, and counts it in /metrics", async () => {
    const t = env.nats.topology;
    const sizes: number[] = [];
    await start(async (items) => {
      sizes.push(items.length);
      for (const item of items) if (item.message.n === 13) await item.deadLetter("thirteen cannot be stored");
      return items.map(() => undefined);
    });
    await publish(10, 5);
    await eventually(async () => ((await pendingOnCommands()) === 0 && (await deadLetterCount()) === 1 ? true : undefined));
    const copy = await env.nats.jsm.streams.getMessage(t.streams.deadLetters, { seq: 1 });
    expect(copy?.subject).toBe(t.subjects.deadLetter(t.subjects.submit));
    expect(copy?.json()).toEqual({ n: 13 });
    expect(copy?.header.get(HEADER.reason)).toBe("thirteen cannot be stored");
    expect(copy?.header.get(HEADER.deliveries)).toBe("1");
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(5);
    expect(await deadLettersCounted()).toBe(1);
  });

  it("dead-letters a message still to be retried on its last delivery instead of letting the server drop it", async () => {
    const t = env.nats.topology;
    const deliveries: number[] = [];
    await start(async (items) => {
      deliveries.push(...items.map((i) => i.delivery.deliveryCount));
      return items.map(() => ({ retryInMs: 10 }));
    });
    await publish(7, 1);
    await eventually(async () => ((await deadLetterCount()) === 1 ? true : undefined));
    const copy = await env.nats.jsm.streams.getMessage(t.streams.deadLetters, { seq: 1 });
    expect(copy?.header.get(HEADER.reason)).toBe("still to be retried after 2 deliveries");
    expect(deliveries).toEqual([1, 2]);
    await eventually(async () => ((await pendingOnCommands()) === 0 ? true : undefined));
    expect(await deadLettersCounted()).toBe(1);
  });
});
