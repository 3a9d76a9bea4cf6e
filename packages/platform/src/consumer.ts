// Consuming from a durable, a message at a time with bounded concurrency: validated
// (poison messages dead-lettered), traced from the publisher's context, acked or naked
// with a delay as the handler says, dead-lettered on the last delivery of a failure.
import { context, ROOT_CONTEXT, SpanStatusCode, trace } from "@opentelemetry/api";
import type { JetStreamClient, JsMsg } from "@nats-io/jetstream";
import type { z } from "zod";
import type { Topology } from "@chorus/contracts";
import { deadLetterMessage, defaultRetryDelay, type ConsumerHandle, type Delivery, type HandleResult } from "./bus.ts";
import type { Logger } from "./logger.ts";
import { pullIntoQueue, receiveMessage } from "./pulling.ts";

const tracer = trace.getTracer("chorus.bus");

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
};

/** Pulls from a durable consumer until stopped; at most `concurrency` handlers run at once. */
export async function runConsumer<S extends z.ZodType>(opts: RunConsumerOptions<S>): Promise<ConsumerHandle> {
  const { js, topology: t, logger } = opts;
  const slots = Math.max(1, opts.concurrency);
  const maxHeld = slots + Math.max(0, opts.pullAhead ?? slots);
  const inFlight = new Set<Promise<void>>();
  let running = true;

  const process = async (m: JsMsg) => {
    const received = await receiveMessage(opts, m);
    if (!received) return;
    const { span: spanSpec } = received;
    await tracer.startActiveSpan(spanSpec.name, { kind: spanSpec.kind, attributes: spanSpec.attributes }, received.parent, async (span) => {
      try {
        const result = await opts.handle(received.message, received.delivery);
        if (result && "retryInMs" in result) m.nak(Math.max(0, Math.round(result.retryInMs)));
        else m.ack();
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
        const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        if (m.info.deliveryCount >= opts.maxDeliver) {
          await deadLetterMessage(js, t, opts.stream, m, `failed after ${m.info.deliveryCount} deliveries: ${reason}`, logger);
        } else {
          const delay = (opts.retryDelayMs ?? defaultRetryDelay)(m.info.deliveryCount);
          logger.warn({ err, subject: m.subject, seq: m.seq, delivery: m.info.deliveryCount, retry_in_ms: Math.round(delay) }, "handler failed; will retry");
          m.nak(Math.round(delay));
        }
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
    void task.finally(() => {
      inFlight.delete(task);
      // A handler only runs once a message has arrived, so the queue exists by now.
      startWaiting(queue.waiting);
      queue.roomFreed();
    });
  };

  const startWaiting = (queued: JsMsg[]) => {
    while (running && inFlight.size < slots && queued.length > 0) start(queued.shift() as JsMsg);
  };

  const queue = await pullIntoQueue(await js.consumers.get(opts.stream, opts.durable), {
    room: (queued) => maxHeld - inFlight.size - queued,
    arrived: startWaiting,
    ...(opts.heartbeatMs !== undefined ? { heartbeatMs: opts.heartbeatMs } : {}),
    logger,
  });

  return {
    isRunning: () => running,
    async stop() {
      if (!running) return;
      running = false;
      await queue.stop();
      // The acks of these handlers reach the server when the caller drains the connection.
      await Promise.allSettled([...inFlight]);
    },
  };
}
