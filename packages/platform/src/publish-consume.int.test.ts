import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { messageIds, type ChorusEvent } from "@chorus/contracts";
import { acceptedRequest, isolatedPerTest, testLogger, eventually } from "@chorus/testing";
import type { RunConsumerOptions } from "./consumer.ts";
import { ensureDurable, publishEvent, publishValidated, runConsumer, sharedSlots, HEADER } from "./index.ts";

const env = isolatedPerTest({ nats: true });

const Numbered = z.object({ n: z.number() });

type ConsumeOptions = Pick<RunConsumerOptions<typeof Numbered>, "concurrency" | "maxDeliver" | "handle" | "retryDelayMs" | "pullAhead"> & { ackWaitMs?: number; maxAckPending?: number };

/** A durable on the submit subject and a consumer of it, stopped at the end of the test. */
async function consume(durable: string, { ackWaitMs = 5_000, maxAckPending = 10, ...options }: ConsumeOptions) {
  const t = env.nats.topology;
  await ensureDurable(env.nats.jsm, { stream: t.streams.commands, durable, filterSubject: t.subjects.submit, ackWaitMs, maxDeliver: options.maxDeliver, maxAckPending });
  const consumer = await runConsumer({ js: env.nats.js, topology: t, stream: t.streams.commands, durable, schema: Numbered, logger: testLogger, ...options });
  env.defer(() => consumer.stop());
  return consumer;
}

const submitNumbered = (n: number, msgID: string) => publishValidated(env.nats.js, env.nats.topology.subjects.submit, Numbered, { n }, { msgID });
const storedOn = async (stream: string) => (await env.nats.jsm.streams.info(stream)).state.messages;
/** Resolves once the stream holds exactly `count` messages. */
const untilStored = (stream: string, count: number, timeoutMs?: number) => eventually(async () => ((await storedOn(stream)) === count ? true : undefined), timeoutMs);
const deadLetter = (seq: number) => env.nats.jsm.streams.getMessage(env.nats.topology.streams.deadLetters, { seq });

const accepted = (requestId: string) => acceptedRequest(requestId);

describe("publishing and consuming", () => {
  it("drops a second publish with the same message id as a duplicate", async () => {
    const id = randomUUID();
    const first = await publishEvent(env.nats.js, env.nats.topology, accepted(id), { msgID: messageIds.accepted(id) });
    const second = await publishEvent(env.nats.js, env.nats.topology, accepted(id), { msgID: messageIds.accepted(id) });
    expect(first.duplicate).toBe(false);
    expect(second.duplicate).toBe(true);
    expect(second.seq).toBe(first.seq);
  });

  it("refuses to publish an event that does not match its schema", async () => {
    const bad = { ...accepted(randomUUID()), data: { text: 42 } } as unknown as ChorusEvent;
    await expect(publishEvent(env.nats.js, env.nats.topology, bad, { msgID: "x" })).rejects.toBeInstanceOf(z.ZodError);
    expect(await storedOn(env.nats.topology.streams.events)).toBe(0);
  });

  it("hands valid messages to the handler and dead-letters a poison message with its reason", async () => {
    const t = env.nats.topology;
    const seen: number[] = [];
    const consumer = await consume("test", { concurrency: 2, maxDeliver: 3, handle: async (m) => void seen.push(m.n) });
    await submitNumbered(1, "a");
    await env.nats.js.publish(t.subjects.submit, "{not json", { msgID: "b" });
    await env.nats.js.publish(t.subjects.submit, JSON.stringify({ n: "two" }), { msgID: "c" });
    await eventually(() => (seen.length === 1 ? true : undefined));
    await untilStored(t.streams.deadLetters, 2);
    // The two are handled at once, so their copies may be stored in either order.
    const copies = (await Promise.all([deadLetter(1), deadLetter(2)]))
      .map((m) => ({ subject: m?.subject, fromSequence: m?.header.get(HEADER.fromSequence), reason: m?.header.get(HEADER.reason), data: m?.string() }))
      .sort((a, b) => Number(a.fromSequence) - Number(b.fromSequence));
    expect(copies).toEqual([
      { subject: t.subjects.deadLetter(t.subjects.submit), fromSequence: "2", reason: "malformed JSON", data: "{not json" },
      { subject: t.subjects.deadLetter(t.subjects.submit), fromSequence: "3", reason: expect.stringMatching(/^invalid message: n: /), data: JSON.stringify({ n: "two" }) },
    ]);
    expect(seen).toEqual([1]);
    await consumer.stop();
    // The work queue is empty: the poison messages were terminated, not left to redeliver.
    await untilStored(t.streams.commands, 0);
  });

  it("redelivers after a handler failure and dead-letters on the last delivery", async () => {
    const deliveries: number[] = [];
    await consume("flaky", {
      concurrency: 1,
      maxDeliver: 2,
      retryDelayMs: () => 10,
      handle: async (_m, d) => {
        deliveries.push(d.deliveryCount);
        throw new Error("boom");
      },
    });
    await submitNumbered(1, "a");
    await untilStored(env.nats.topology.streams.deadLetters, 1);
    expect(deliveries).toEqual([1, 2]);
    expect((await deadLetter(1))?.header.get(HEADER.reason)).toContain("failed after 2 deliveries: Error: boom");
  });

  it("dead-letters a message its handler still asks to retry on the last delivery, which the server would otherwise drop", async () => {
    const deliveries: number[] = [];
    await consume("waiting", {
      concurrency: 1,
      maxDeliver: 2,
      handle: async (_m, d) => {
        deliveries.push(d.deliveryCount);
        return { retryInMs: 10 };
      },
    });
    await submitNumbered(1, "a");
    await untilStored(env.nats.topology.streams.deadLetters, 1);
    expect(deliveries).toEqual([1, 2]);
    expect((await deadLetter(1))?.header.get(HEADER.reason)).toBe("still to be retried after 2 deliveries");
    await untilStored(env.nats.topology.streams.commands, 0);
  });

  it("runs a handler again in place while JetStream does not answer, without using up a delivery", async () => {
    const t = env.nats.topology;
    const attempts: [number, boolean][] = [];
    await consume("outage", {
      concurrency: 1,
      maxDeliver: 1,
      handle: async (_m, d) => {
        attempts.push([d.deliveryCount, d.handledBefore]);
        // No stream stores this subject: JetStream has no responder for it, as while a stream elects its leader.
        if (attempts.length < 3) await env.nats.js.publish(`${t.prefix}.nowhere`, "x");
      },
    });
    await submitNumbered(1, "a");
    await untilStored(t.streams.commands, 0);
    // Three runs of one delivery, which was then acked: with max_deliver 1, a redelivery would
    // have been a dead letter. The runs again are told that an earlier one may have died midway.
    expect(attempts).toEqual([[1, false], [1, true], [1, true]]);
    expect(await storedOn(t.streams.deadLetters)).toBe(0);
  });

  it("keeps messages that wait for a free slot from passing their ack wait, so each is handled once", async () => {
    const t = env.nats.topology;
    const handled: { n: number; deliveryCount: number }[] = [];
    // Each handler outlasts the ack wait twice over, so the later messages wait longer than it for their turn.
    const consumer = await consume("slow", {
      ackWaitMs: 1_000,
      concurrency: 2,
      maxDeliver: 5,
      handle: async (m, d) => {
        handled.push({ n: m.n, deliveryCount: d.deliveryCount });
        // A handler keeps its own message alive, as the agents' provider calls do.
        for (let i = 0; i < 5; i++) {
          await new Promise((r) => setTimeout(r, 500));
          d.working();
        }
      },
    });
    for (const n of [1, 2, 3, 4]) await submitNumbered(n, `slow-${n}`);
    // Done when the work queue is empty: every message acked, so none can be redelivered from here on.
    await untilStored(t.streams.commands, 0, 30_000);
    await consumer.stop();
    expect(handled.toSorted((a, b) => a.n - b.n)).toEqual([
      { n: 1, deliveryCount: 1 },
      { n: 2, deliveryCount: 1 },
      { n: 3, deliveryCount: 1 },
      { n: 4, deliveryCount: 1 },
    ]);
    // The server's own count: four deliveries, none of them a redelivery (a copy still
    // waiting in the client's buffer when the queue emptied would only show up here).
    const info = await env.nats.jsm.consumers.info(t.streams.commands, "slow");
    expect({ delivered: info.delivered.consumer_seq, redelivered: info.num_redelivered }).toEqual({ delivered: 4, redelivered: 0 });
  });

  it("runs two consumers sharing slots within the one limit, each getting freed slots in turn", async () => {
    const slots = sharedSlots(2);
    let running = 0;
    let most = 0;
    const ran: string[] = [];
    const handle = (name: string) => async () => {
      running++;
      most = Math.max(most, running);
      ran.push(name);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running--;
    };
    // Two durables on the events stream (not a work queue), so both see every message: 6 runs each, 2 at a time in all.
    const t = env.nats.topology;
    const subject = `${t.prefix}.ev.numbered`;
    for (const name of ["first", "second"]) {
      await ensureDurable(env.nats.jsm, { stream: t.streams.events, durable: name, filterSubject: subject, ackWaitMs: 5_000, maxDeliver: 3, maxAckPending: 10 });
      const consumer = await runConsumer({ js: env.nats.js, topology: t, stream: t.streams.events, durable: name, schema: Numbered, logger: testLogger, concurrency: 2, maxDeliver: 3, slots, handle: handle(name) });
      env.defer(() => consumer.stop());
    }
    for (let n = 0; n < 6; n++) await env.nats.js.publish(subject, JSON.stringify({ n }), { msgID: `m-${n}` });
    // Every run has begun, and each slot is given back once its handler is done.
    await eventually(() => (ran.length === 12 && slots.inUse === 0 ? true : undefined));
    expect(most).toBe(2);
    // Neither waited for the other to finish everything: the second ran before the first's last.
    expect(ran.indexOf("second")).toBeLessThan(ran.lastIndexOf("first"));
  });

  it("holds no more than its slots and pull-ahead, and stops asking for more until a slot frees", async () => {
    const t = env.nats.topology;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const handled: number[] = [];
    const consumer = await consume("held", {
      ackWaitMs: 30_000,
      maxAckPending: 100,
      concurrency: 1,
      pullAhead: 2,
      maxDeliver: 5,
      handle: async (m) => {
        await released;
        handled.push(m.n);
      },
    });
    for (const n of [1, 2, 3, 4, 5, 6]) await submitNumbered(n, `held-${n}`);
    // One running, two waiting, and no pull request open: nothing more can arrive.
    const held = await eventually(async () => {
      const info = await env.nats.jsm.consumers.info(t.streams.commands, "held");
      return info.num_ack_pending === 3 && info.num_waiting === 0 ? info : undefined;
    });
    expect(held.num_pending).toBe(3);
    release();
    await eventually(() => (handled.length === 6 ? true : undefined));
    await consumer.stop();
    expect(handled).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
