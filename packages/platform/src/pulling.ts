// The receiving half shared by runConsumer and runBatchConsumer: pulling from a durable
// into a local queue, and turning a pulled message into a validated one with its trace.
//
// Pulls are sized to the room the caller has left, one at a time, so a replica never holds
// more than that and leaves the rest to other replicas. Every message waiting in the queue
// is heartbeated: otherwise a queue behind slow handlers (a shared rate limit, say) would
// pass its ack wait unstarted and be delivered a second time.
import { propagation, ROOT_CONTEXT, SpanKind, type Attributes, type Context } from "@opentelemetry/api";
import { millis } from "@nats-io/transport-node";
import type { Consumer, ConsumerMessages, JetStreamClient, JsMsg } from "@nats-io/jetstream";
import type { z } from "zod";
import type { Topology } from "@chorus/contracts";
import { deadLetterMessage, HEADER, type Delivery } from "./bus.ts";
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

export type MessageQueue = {
  /** Pulled and not yet taken by a handler, in arrival order; the caller shifts from it. */
  waiting: JsMsg[];
  /** Says that the caller's room may have grown (a handler finished). */
  roomFreed(): void;
  /** Stops pulling and hands the waiting messages back at once, for another replica. */
  stop(): Promise<void>;
};

export type PullOptions = {
  /** How many more messages the caller can hold, given how many wait in the queue now. */
  room(waiting: number): number;
  /** Called after each message is queued, with the queue. */
  arrived(waiting: JsMsg[]): void;
  /** How often waiting messages are heartbeated, ms (default: a third of the consumer's ack_wait). */
  heartbeatMs?: number;
  logger: Logger;
};

export async function pullIntoQueue(consumer: Consumer, opts: PullOptions): Promise<MessageQueue> {
  // Read once: the consumer's ack_wait at start decides how often waiting messages are heartbeated.
  const info = await consumer.info(true);
  const ackWaitMs = info.config.ack_wait ? millis(info.config.ack_wait) : DEFAULT_ACK_WAIT_MS;
  const heartbeatMs = Math.max(10, opts.heartbeatMs ?? Math.floor(ackWaitMs / 3));
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
        opts.logger.warn({ err, stream: info.stream_name, durable: info.name }, "pulling messages failed; pulling again shortly");
        await sleep(PULL_RETRY_MS, stopped.signal).catch(() => undefined);
      } finally {
        pulling = undefined;
      }
    }
  })();

  return {
    waiting,
    roomFreed: () => wake?.(),
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
