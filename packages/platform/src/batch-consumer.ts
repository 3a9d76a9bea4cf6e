// Consuming from JetStream a batch at a time, for handlers whose cost is per round trip
// rather than per message (the projector: one transaction for many events). Batches form
// on their own: the first message is handled at once (or once it has lingered, when the
// caller asks for a linger), and whatever arrives meanwhile is the next batch, so a quiet
// system answers as fast as one message at a time and a busy one amortises. Validation, dead-lettering, tracing and heartbeats as in runConsumer; a
// handler that finds one message it can never handle copies it to the dead-letter
// subject itself (BatchItem.deadLetter) and lets the rest of the batch go on.
import { context, ROOT_CONTEXT, SpanStatusCode, trace, type Span } from "@opentelemetry/api";
import type { JetStreamClient, JsMsg } from "@nats-io/jetstream";
import type { z } from "zod";
import type { Topology } from "@chorus/contracts";
import { copyToDeadLetters } from "./dead-letter.ts";
import { settleFailure, settleResult, type ConsumerHandle, type Delivery, type HandleResult } from "./delivery.ts";
import type { Logger } from "./logger.ts";
import { sleep } from "./sleep.ts";
import { pullIntoQueue, receiveMessage, type MessageQueue } from "./pulling.ts";

const tracer = trace.getTracer("chorus.bus");

export type BatchItem<T> = {
  message: T;
  delivery: Delivery;
  /**
   * Copies the message to the dead-letter subject with this reason (counted in /metrics).
   * The outcome returned for it still decides what happens to the message: normally an
   * ack, once whatever records the failure is stored.
   */
  deadLetter(reason: string): Promise<void>;
};

export type RunBatchConsumerOptions<S extends z.ZodType> = {
  js: JetStreamClient;
  topology: Topology;
  stream: string;
  durable: string;
  schema: S;
  /** Most messages handed to one call of handleBatch; as many more are held, heartbeated, while a batch runs. */
  maxBatch: number;
  /** The consumer's max_deliver: on the last delivery a message of a failing batch is dead-lettered. */
  maxDeliver: number;
  logger: Logger;
  /** One outcome per item, in order: nothing (ack) or a redelivery after a delay. A throw retries every item. */
  handleBatch: (items: BatchItem<z.infer<S>>[]) => Promise<HandleResult[]>;
  /** Delay before the messages of a failed batch are redelivered. */
  retryDelayMs?: (deliveryCount: number) => number;
  /**
   * How long a message may wait for others to join its batch, counted from its arrival: a
   * batch that is not full is handled once its oldest message is this old (0: at once), so
   * messages that already waited out the previous batch do not wait again. Worth it where
   * a batch's cost is mostly per round trip: one message at a time is the dearest way to
   * run, and a trickle of messages would otherwise always run that way.
   */
  lingerMs?: number;
};

/** Pulls from a durable consumer until stopped, handing over batches one at a time. */
export async function runBatchConsumer<S extends z.ZodType>(opts: RunBatchConsumerOptions<S>): Promise<ConsumerHandle> {
  const { js, topology: t, logger } = opts;
  const maxBatch = Math.max(1, opts.maxBatch);
  const lingerMs = Math.max(0, opts.lingerMs ?? 0);
  /** When the oldest message now waiting arrived: a batch lingers until it is lingerMs old, not lingerMs more. */
  let firstQueuedAt: number | undefined;
  /** Ends the linger in progress, if any. */
  let cutLinger: (() => void) | undefined;
  let inBatch = 0;
  let draining = false;
  let drained: Promise<void> = Promise.resolve();
  type Started = { m: JsMsg; item: BatchItem<z.infer<S>>; span: Span };

  const begin = async (m: JsMsg): Promise<Started | null> => {
    const received = await receiveMessage(opts, m);
    if (!received) return null;
    const span = tracer.startSpan(received.span.name, { kind: received.span.kind, attributes: received.span.attributes }, received.parent);
    const deadLetter = (reason: string) => copyToDeadLetters(js, t, opts.stream, m, reason, logger);
    return { m, item: { message: received.message, delivery: received.delivery, deadLetter }, span };
  };

  const handle = async (messages: JsMsg[]) => {
    const started = (await Promise.all(messages.map(begin))).filter((s) => s !== null);
    if (started.length === 0) return;
    for (const s of started) s.span.setAttribute("messaging.batch.message_count", started.length);
    try {
      let results: HandleResult[];
      try {
        // The batch's own work (its SQL, say) is traced under its first message.
        const first = started[0] as Started;
        results = await context.with(trace.setSpan(ROOT_CONTEXT, first.span), () => opts.handleBatch(started.map((s) => s.item)));
      } catch (err) {
        await failed(started, err);
        return;
      }
      for (const [i, { m }] of started.entries()) await settleResult(opts, m, results[i]);
    } finally {
      for (const { span } of started) span.end();
    }
  };

  /** A batch that threw: every message is redelivered, or dead-lettered on its last delivery. */
  const failed = async (started: Started[], err: unknown) => {
    for (const { m, span } of started) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      await settleFailure(opts, m, err);
    }
    logger.warn({ err, durable: opts.durable, messages: started.length }, "batch failed; will retry");
  };

  /** Runs batches while messages wait, one at a time. */
  const drain = (queued: JsMsg[]) => {
    if (draining) return;
    draining = true;
    drained = (async () => {
      try {
        // Runs only once a message has arrived, so the queue exists by now.
        while (queue.isRunning() && queued.length > 0) {
          const lingered = firstQueuedAt === undefined ? 0 : performance.now() - firstQueuedAt;
          if (queued.length < maxBatch && lingered < lingerMs) {
            // A full batch cuts it short, and so does stopping (the loop's own check then hands the messages back).
            const full = new AbortController();
            cutLinger = () => full.abort();
            await sleep(lingerMs - lingered, AbortSignal.any([queue.stopping, full.signal])).catch(() => undefined);
            cutLinger = undefined;
            if (!queue.isRunning()) break;
          }
          const batch = queued.splice(0, maxBatch);
          // Anything left over arrived after this batch's oldest, whose arrival its linger then counts from.
          if (queued.length === 0) firstQueuedAt = undefined;
          inBatch = batch.length;
          await handle(batch).catch((err) => {
            // Only a failed dead-letter publish gets here; without an ack the messages come back.
            logger.error({ err, durable: opts.durable }, "batch handling failed");
          });
          inBatch = 0;
          queue.roomFreed();
        }
      } finally {
        draining = false;
      }
    })();
  };

  // On stop, pulling stops and what waits is handed back; the batch in hand finishes and acks.
  const queue: MessageQueue = await pullIntoQueue(js, opts, {
    room: (queued) => 2 * maxBatch - inBatch - queued,
    arrived: (queued) => {
      firstQueuedAt ??= performance.now();
      if (queued.length >= maxBatch) cutLinger?.();
      drain(queued);
    },
    inHand: () => drained,
  });
  return queue;
}
