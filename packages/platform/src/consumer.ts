// Consuming from a durable, a message at a time with bounded concurrency: validated
// (poison messages dead-lettered), traced from the publisher's context, acked or naked
// with a delay as the handler says, dead-lettered on the last delivery of a failure.
// A handler that fails because NATS itself is unavailable (a JetStream leader election,
// a lost connection) is run again in place, not redelivered: an outage must not use up
// the deliveries that stand between a message and the dead-letter subject. One that fails
// because JetStream has no space to store what it publishes is waited out the same way.
import { context, ROOT_CONTEXT, SpanStatusCode, trace } from "@opentelemetry/api";
import type { JetStreamClient, JsMsg } from "@nats-io/jetstream";
import type { z } from "zod";
import type { Topology } from "@chorus/contracts";
import { settleFailure, settleResult, type ConsumerHandle, type Delivery, type HandleResult } from "./delivery.ts";
import type { Logger } from "./logger.ts";
import { pullIntoQueue, receiveMessage, type MessageQueue } from "./pulling.ts";
import { sleep } from "./sleep.ts";
import { isNatsUnavailable } from "./startup.ts";
import { isStoreFull } from "./store-full.ts";

const tracer = trace.getTracer("chorus.bus");

/** How long a handler is run again in place while NATS is unavailable, before the message is naked as a failure. */
const NATS_OUTAGE_PATIENCE_MS = 120_000;
const OUTAGE_RETRY_FIRST_MS = 250;
const OUTAGE_RETRY_MAX_MS = 5_000;

/**
 * Runs `handle` until it succeeds, fails for another reason, or NATS has been unavailable
 * for longer than the patience; meanwhile the delivery is kept in progress. Handlers are
 * idempotent (they must be, for redeliveries), so running one again is safe.
 */
async function handleThroughOutage<T>(handle: (again: boolean) => Promise<T>, m: JsMsg, logger: Logger, stopping: AbortSignal): Promise<T> {
  const since = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      // A run again may follow one that died midway, as a redelivery may: the handler is told so.
      return await handle(attempt > 1);
    } catch (err) {
      // No space to store what the handler publishes is waited out like an outage, and as
      // long: the handler runs again whole, and what it did before its refused write (a
      // webhook sent, a model called) is done again, so waiting without end would repeat it.
      const noSpace = isStoreFull(err);
      if (!(noSpace || isNatsUnavailable(err)) || stopping.aborted || Date.now() - since > NATS_OUTAGE_PATIENCE_MS) throw err;
      const wait = Math.min(OUTAGE_RETRY_MAX_MS, OUTAGE_RETRY_FIRST_MS * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
      const why = noSpace ? "JetStream has no space for what the handler publishes" : "NATS is unavailable";
      logger.warn({ err, subject: m.subject, seq: m.seq, attempt, retry_in_ms: Math.round(wait) }, `${why}; running the handler again shortly`);
      try {
        m.working();
      } catch {
        // The connection is gone too: the server redelivers after ack_wait, as it should.
      }
      // Stopping ends the wait with the handler's own error: the message is handled as a failure.
      await sleep(wait, stopping).catch(() => {
        throw err;
      });
    }
  }
}

export type RunConsumerOptions<S extends z.ZodType> = {
  js: JetStreamClient;
  topology: Topology;
  stream: string;
  durable: string;
  schema: S;
  /** Handlers running at once in this process. */
  concurrency: number;
  /** The consumer's max_deliver: on the last delivery a failing message is dead-lettered. */
  maxDeliver: number;
  logger: Logger;
  handle: (message: z.infer<S>, delivery: Delivery) => Promise<HandleResult>;
  /** Delay before a failed message is redelivered. */
  retryDelayMs?: (deliveryCount: number) => number;
  /** Messages pulled ahead of a free slot, so a slot that frees up starts the next at once (default: `concurrency`). */
  pullAhead?: number;
  /** How often a pulled-ahead message still waiting for a slot is heartbeated, ms (default: a third of the consumer's ack_wait). */
  heartbeatMs?: number;
  /** Slots shared with other consumers (see sharedSlots), in place of `concurrency` slots of this consumer's own. */
  slots?: SharedSlots;
};

/**
 * Handler slots shared by several consumers of one process: one limit over what they run
 * together (an agent's accepts and its tasks), each freed slot offered to the consumers in
 * turn so that neither input starves the other.
 */
export type SharedSlots = {
  readonly limit: number;
  inUse: number;
  /** The sharing consumers, in the order they are next offered a free slot. */
  readonly members: Set<SlotMember>;
};

type SlotMember = {
  /** A slot is free: start what waits; whether it started anything. */
  startNext(): boolean;
  /** The pool's room changed: pull again if it was waiting for room. */
  roomFreed(): void;
};

export function sharedSlots(limit: number): SharedSlots {
  return { limit: Math.max(1, limit), inUse: 0, members: new Set() };
}

/** A member that just took a slot goes to the back of the line. */
function tookSlot(pool: SharedSlots, member: SlotMember): void {
  pool.members.delete(member);
  pool.members.add(member);
}

/** Offers free slots to the sharing consumers in turn, then lets each pull what it now has room for. */
function slotFreed(pool: SharedSlots): void {
  for (const member of [...pool.members]) {
    if (pool.inUse >= pool.limit) break;
    member.startNext();
  }
  for (const member of pool.members) member.roomFreed();
}

/** Pulls from a durable consumer until stopped; at most `concurrency` handlers run at once. */
export async function runConsumer<S extends z.ZodType>(opts: RunConsumerOptions<S>): Promise<ConsumerHandle> {
  const { js, logger } = opts;
  const pool = opts.slots ?? sharedSlots(opts.concurrency);
  const slots = Math.max(1, opts.concurrency);
  const maxHeld = slots + Math.max(0, opts.pullAhead ?? slots);
  const inFlight = new Set<Promise<void>>();

  const process = async (m: JsMsg) => {
    const received = await receiveMessage(opts, m);
    if (!received) return;
    const { span: spanSpec } = received;
    await tracer.startActiveSpan(spanSpec.name, { kind: spanSpec.kind, attributes: spanSpec.attributes }, received.parent, async (span) => {
      try {
        const { delivery } = received;
        const result = await handleThroughOutage((again) => opts.handle(received.message, again ? { ...delivery, handledBefore: true } : delivery), m, logger, queue.stopping);
        await settleResult(opts, m, result);
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
        if (m.info.deliveryCount < opts.maxDeliver) logger.warn({ err, subject: m.subject, seq: m.seq, delivery: m.info.deliveryCount }, "handler failed; will retry");
        await settleFailure(opts, m, err);
      } finally {
        span.end();
      }
    });
  };

  const start = (m: JsMsg) => {
    const task = context.with(ROOT_CONTEXT, () => process(m)).catch((err) => {
      // Only a failed dead-letter publish gets here; without an ack the message comes back.
      logger.error({ err, subject: m.subject, seq: m.seq }, "message handling failed");
    });
    inFlight.add(task);
    pool.inUse++;
    tookSlot(pool, member);
    void task.finally(() => {
      inFlight.delete(task);
      pool.inUse--;
      // A handler only runs once a message has arrived, so the queue exists by now.
      slotFreed(pool);
      queue.roomFreed();
    });
  };

  /** Starts what waits while slots are free; whether it started any. */
  const startWaiting = (queued: JsMsg[]): boolean => {
    let started = false;
    while (queue.isRunning() && inFlight.size < slots && pool.inUse < pool.limit && queued.length > 0) {
      start(queued.shift() as JsMsg);
      started = true;
    }
    return started;
  };
  const member: SlotMember = { startNext: () => startWaiting(queue.waiting), roomFreed: () => queue.roomFreed() };
  // What this consumer may hold: its own slots and pull-ahead, less what the other sharers run.
  const room = (queued: number) => Math.min(maxHeld - inFlight.size, pool.limit + (maxHeld - slots) - pool.inUse) - queued;

  // On stop, the acks of the handlers in flight reach the server when the caller drains the connection.
  const inHand = () => Promise.allSettled([...inFlight]);
  const queue: MessageQueue = await pullIntoQueue(js, opts, { room, arrived: startWaiting, inHand });
  pool.members.add(member);
  return {
    isRunning: () => queue.isRunning(),
    stop: async () => {
      pool.members.delete(member);
      await queue.stop();
    },
  };
}
