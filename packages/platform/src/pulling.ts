// The receiving half shared by runConsumer and runBatchConsumer: pulling from a durable
// into a local queue, and turning a pulled message into a validated one with its trace.
//
// Pulls are sized to the room the caller has left, one at a time, so a replica never holds
// more than that and leaves the rest to other replicas. Every message waiting in the queue
// is heartbeated: otherwise a queue behind slow handlers (a shared rate limit, say) would
// pass its ack wait unstarted and be delivered a second time.
import { propagation, ROOT_CONTEXT, SpanKind, type Attributes, type Context } from "@opentelemetry/api";
import { millis } from "@nats-io/transport-node";
import type { ConsumerMessages, JetStreamClient, JsMsg } from "@nats-io/jetstream";
import type { z } from "zod";
import type { Topology } from "@chorus/contracts";
import { deadLetterMessage } from "./dead-letter.ts";
import type { ConsumerHandle, Delivery } from "./delivery.ts";
import { HEADER } from "./publish.ts";
import type { Logger } from "./logger.ts";
import { sleep } from "./sleep.ts";

/** How long one pull request stays open for messages before it is renewed. */
const PULL_EXPIRES_MS = 30_000;
/**
 * The server's heartbeat on an idle pull; two missed end the pull, and it is made again.
 * Without it a pull whose consumer leader died (a cluster node lost) would hang for two of
 * the client's default heartbeats (half of PULL_EXPIRES_MS each) before anything noticed.
 */
const PULL_IDLE_HEARTBEAT_MS = 2_000;
/** The pause after a failed pull (consumer gone, connection lost) before the next. */
const PULL_RETRY_MS = 1_000;
/** JetStream's ack_wait when a consumer does not set one. */
const DEFAULT_ACK_WAIT_MS = 30_000;

/** A durable's messages as they are pulled, and the consumer's handle: `stop` ends it once. */
export type MessageQueue = ConsumerHandle & {
  /** Pulled and not yet taken by a handler, in arrival order; the caller shifts from it. */
  waiting: JsMsg[];
  /** Says that the caller's room may have grown (a handler finished). */
  roomFreed(): void;
  /** Aborted as soon as `stop` is called: handlers waiting out an outage give up. */
  stopping: AbortSignal;
};

export type PullOptions = {
  /** How many more messages the caller can hold, given how many wait in the queue now. */
  room(waiting: number): number;
  /** Called after each message is queued, with the queue. */
  arrived(waiting: JsMsg[]): void;
  /** The work in hand, which `stop` waits for once pulling has stopped and the waiting messages are handed back. */
  inHand(): Promise<unknown>;
};

/** Where to pull from: the consumer's own options (stream, durable, heartbeat) and its logger. */
export type PullSource = { stream: string; durable: string; heartbeatMs?: number; logger: Logger };

/**
 * Pulls a durable's messages into a queue, as much as the caller has room for, and
 * heartbeats those still waiting for a handler. `stop` stops pulling, hands the waiting
 * messages back at once (for another replica) and then waits for the work in hand.
 */
export async function pullIntoQueue(js: JetStreamClient, source: PullSource, opts: PullOptions): Promise<MessageQueue> {
  const consumer = await js.consumers.get(source.stream, source.durable);
  const logger = source.logger;
  // Read once: the consumer's ack_wait at start decides how often waiting messages are heartbeated.
  const info = await consumer.info(true);
  const ackWaitMs = info.config.ack_wait ? millis(info.config.ack_wait) : DEFAULT_ACK_WAIT_MS;
  const heartbeatMs = Math.max(10, source.heartbeatMs ?? Math.floor(ackWaitMs / 3));
  const waiting: JsMsg[] = [];
  let running = true;
  let pulling: ConsumerMessages | undefined;
  let wake: (() => void) | undefined;
  const stopped = new AbortController();

  const heartbeat = setInterval(() => {
    for (const m of waiting) m.working();
  }, heartbeatMs);
  heartbeat.unref();

  const loop = (async () => {
    while (running) {
      const room = opts.room(waiting.length);
      if (room <= 0) {
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      try {
        pulling = await consumer.fetch({ max_messages: room, expires: PULL_EXPIRES_MS, idle_heartbeat: PULL_IDLE_HEARTBEAT_MS });
        for await (const m of pulling) {
          waiting.push(m);
          opts.arrived(waiting);
        }
      } catch (err) {
        if (!running) break;
        logger.warn({ err, stream: info.stream_name, durable: info.name }, "pulling messages failed; pulling again shortly");
        await sleep(PULL_RETRY_MS, stopped.signal).catch(() => undefined);
      } finally {
        pulling = undefined;
      }
    }
  })();

  return {
    waiting,
    roomFreed: () => wake?.(),
    stopping: stopped.signal,
    isRunning: () => running,
    async stop() {
      if (!running) return;
      running = false;
      stopped.abort();
      pulling?.stop();
      wake?.();
      await loop.catch(() => undefined);
      clearInterval(heartbeat);
      // The naks reach the server when the caller drains the connection.
      for (const m of waiting.splice(0)) m.nak();
      await opts.inHand();
    },
  };
}

export type Received<T> = {
  message: T;
  delivery: Delivery;
  /** The publisher's trace context, to parent the consumer span on. */
  parent: Context;
  /** The consumer span's attributes (OpenTelemetry messaging conventions). */
  span: { name: string; kind: SpanKind; attributes: Attributes };
};

export type ReceiveContext<S extends z.ZodType> = { js: JetStreamClient; topology: Topology; stream: string; durable: string; schema: S; logger: Logger };

/** Parses and validates a pulled message; one that is not JSON or not valid is dead-lettered, and null returned. */
export async function receiveMessage<S extends z.ZodType>(ctx: ReceiveContext<S>, m: JsMsg): Promise<Received<z.infer<S>> | null> {
  let payload: unknown;
  try {
    payload = m.json();
  } catch {
    await deadLetterMessage(ctx.js, ctx.topology, ctx.stream, m, "malformed JSON", ctx.logger);
    return null;
  }
  const parsed = ctx.schema.safeParse(payload);
  if (!parsed.success) {
    const reason = `invalid message: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`;
    await deadLetterMessage(ctx.js, ctx.topology, ctx.stream, m, reason, ctx.logger);
    return null;
  }
  const carrier: Record<string, string> = {};
  for (const k of ["traceparent", "tracestate"]) {
    const v = m.headers?.get(k);
    if (v) carrier[k] = v;
  }
  const correlationId = m.headers?.get(HEADER.correlationId);
  return {
    message: parsed.data,
    delivery: { subject: m.subject, seq: m.seq, deliveryCount: m.info.deliveryCount, handledBefore: m.info.deliveryCount > 1, working: () => m.working(), raw: m },
    parent: propagation.extract(ROOT_CONTEXT, carrier),
    span: {
      name: `process ${ctx.durable}`,
      kind: SpanKind.CONSUMER,
      attributes: {
        "messaging.system": "nats",
        "messaging.operation.type": "process",
        "messaging.destination.name": m.subject,
        "messaging.consumer.group.name": ctx.durable,
        "messaging.message.delivery_count": m.info.deliveryCount,
        ...(correlationId ? { "chorus.correlation_id": correlationId } : {}),
      },
    },
  };
}
