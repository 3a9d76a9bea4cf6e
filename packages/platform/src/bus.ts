// Publishing to and consuming from JetStream, the same way in every service:
// validated on both sides, deduplicated by message id, traced through W3C headers,
// bounded in concurrency, and with poison messages sent to a dead-letter subject.
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context } from "@opentelemetry/api";
import { headers as natsHeaders, type MsgHdrs } from "@nats-io/transport-node";
import type { JetStreamClient, JsMsg, PubAck } from "@nats-io/jetstream";
import pRetry from "p-retry";
import type { z } from "zod";
import { ChorusEvent, type Topology } from "@chorus/contracts";
import type { Logger } from "./logger.ts";
import { recordEventMetrics } from "./metrics.ts";

const tracer = trace.getTracer("chorus.bus");

export const HEADER = {
  reason: "Chorus-Dead-Letter-Reason",
  fromSubject: "Chorus-Dead-Letter-Subject",
  fromSequence: "Chorus-Dead-Letter-Sequence",
  deliveries: "Chorus-Dead-Letter-Deliveries",
  correlationId: "Chorus-Correlation-Id",
  eventType: "Chorus-Event-Type",
} as const;

export type PublishOptions = {
  /** Nats-Msg-Id: a repeat within the stream's duplicate window is dropped. */
  msgID: string;
  /** Nats-Expected-Last-Subject-Sequence: refuse unless the subject's last message is this one (0 = empty). */
  expectLastSubjectSequence?: number;
  correlationId?: string;
  eventType?: string;
};

function headersFor(opts: PublishOptions, ctx: Context = context.active()): MsgHdrs {
  const h = natsHeaders();
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  for (const [k, v] of Object.entries(carrier)) h.set(k, v);
  if (opts.correlationId) h.set(HEADER.correlationId, opts.correlationId);
  if (opts.eventType) h.set(HEADER.eventType, opts.eventType);
  return h;
}

/**
 * Publishes a payload validated by `schema`, retrying transient failures. Retries are safe
 * because the message id makes the server drop a copy it already stored.
 */
export async function publishValidated<S extends z.ZodType>(
  js: JetStreamClient,
  subject: string,
  schema: S,
  payload: z.input<S>,
  opts: PublishOptions,
): Promise<PubAck> {
  const valid = schema.parse(payload);
  const data = JSON.stringify(valid);
  return tracer.startActiveSpan(
    `send ${subject.split(".").slice(0, 3).join(".")}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        "messaging.system": "nats",
        "messaging.operation.type": "send",
        "messaging.destination.name": subject,
        "messaging.message.id": opts.msgID,
        ...(opts.correlationId ? { "chorus.correlation_id": opts.correlationId } : {}),
      },
    },
    async (span) => {
      try {
        const headers = headersFor(opts);
        return await pRetry(
          () =>
            js.publish(subject, data, {
              msgID: opts.msgID,
              headers,
              ...(opts.expectLastSubjectSequence !== undefined
                ? { expect: { lastSubjectSequence: opts.expectLastSubjectSequence } }
                : {}),
            }),
          {
            retries: 4,
            minTimeout: 50,
            maxTimeout: 1000,
            // A conflict (wrong last sequence) is an answer, not a transient failure.
            shouldRetry: ({ error }) => !isWrongLastSequence(error),
          },
        );
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}

export function isWrongLastSequence(err: unknown): boolean {
  const e = err as { code?: number; message?: string };
  return e?.code === 10071 || /wrong last sequence/i.test(String(e?.message ?? ""));
}

/** Publishes one event on its subject, with its envelope validated; a newly stored one is counted in the metrics. */
export async function publishEvent(js: JetStreamClient, t: Topology, event: ChorusEvent, opts: Omit<PublishOptions, "eventType" | "correlationId">) {
  const ack = await publishValidated(js, t.subjects.event(event.request_id, event), ChorusEvent, event, {
    ...opts,
    eventType: event.type,
    correlationId: event.correlation_id,
  });
  // A duplicate was counted by whoever stored it first.
  if (!ack.duplicate) recordEventMetrics(event);
  return ack;
}

export type Delivery = {
  subject: string;
  /** Stream sequence of this message. */
  seq: number;
  /** 1 on first delivery. */
  deliveryCount: number;
  /** Tells the server the handler is still working, extending the ack deadline. */
  working(): void;
  raw: JsMsg;
};

/** What a handler asks for: nothing (ack), or a redelivery after a delay (nak with delay). */
export type HandleResult = void | { retryInMs: number };

export type ConsumerHandle = {
  /** Stops pulling, waits for in-flight handlers to finish and ack, then resolves. */
  stop(): Promise<void>;
  /** True while the pull loop is running. */
  isRunning(): boolean;
};

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
};

const defaultRetryDelay = (n: number) => Math.min(30_000, 250 * 2 ** (n - 1)) * (0.5 + Math.random() / 2);

/** Pulls from a durable consumer until stopped. */
export async function runConsumer<S extends z.ZodType>(opts: RunConsumerOptions<S>): Promise<ConsumerHandle> {
  const { js, topology: t, logger } = opts;
  const consumer = await js.consumers.get(opts.stream, opts.durable);
  const messages = await consumer.consume({ max_messages: Math.max(1, opts.concurrency) });
  const inFlight = new Set<Promise<void>>();
  let running = true;
  let wake: (() => void) | undefined;

  const deadLetter = async (m: JsMsg, reason: string) => {
    const h = natsHeaders();
    h.set(HEADER.reason, reason.slice(0, 1000));
    h.set(HEADER.fromSubject, m.subject);
    h.set(HEADER.fromSequence, String(m.seq));
    h.set(HEADER.deliveries, String(m.info.deliveryCount));
    for (const k of ["traceparent", "tracestate", HEADER.correlationId]) {
      const v = m.headers?.get(k);
      if (v) h.set(k, v);
    }
    await js.publish(t.subjects.deadLetter(m.subject), m.data, {
      headers: h,
      msgID: `dlq:${opts.stream}:${m.seq}`,
    });
    // Ack, not term: on a work-queue stream a terminated message would stay stored
    // forever. The dead-letter copy keeps the message and its reason.
    m.ack();
    logger.error({ subject: m.subject, seq: m.seq, reason }, "message dead-lettered");
  };

  const process = async (m: JsMsg) => {
    let payload: unknown;
    try {
      payload = m.json();
    } catch {
      await deadLetter(m, "malformed JSON");
      return;
    }
    const parsed = opts.schema.safeParse(payload);
    if (!parsed.success) {
      await deadLetter(m, `invalid message: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
      return;
    }
    const carrier: Record<string, string> = {};
    for (const k of ["traceparent", "tracestate"]) {
      const v = m.headers?.get(k);
      if (v) carrier[k] = v;
    }
    const parent = propagation.extract(ROOT_CONTEXT, carrier);
    const delivery: Delivery = {
      subject: m.subject,
      seq: m.seq,
      deliveryCount: m.info.deliveryCount,
      working: () => m.working(),
      raw: m,
    };
    await tracer.startActiveSpan(
      `process ${opts.durable}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          "messaging.system": "nats",
          "messaging.operation.type": "process",
          "messaging.destination.name": m.subject,
          "messaging.consumer.group.name": opts.durable,
          "messaging.message.delivery_count": m.info.deliveryCount,
          ...(m.headers?.get(HEADER.correlationId) ? { "chorus.correlation_id": m.headers.get(HEADER.correlationId) } : {}),
        },
      },
      parent,
      async (span) => {
        try {
          const result = await opts.handle(parsed.data, delivery);
          if (result && "retryInMs" in result) m.nak(Math.max(0, Math.round(result.retryInMs)));
          else m.ack();
        } catch (err) {
          span.recordException(err as Error);
          span.setStatus({ code: SpanStatusCode.ERROR });
          const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
          if (m.info.deliveryCount >= opts.maxDeliver) {
            await deadLetter(m, `failed after ${m.info.deliveryCount} deliveries: ${reason}`);
          } else {
            const delay = (opts.retryDelayMs ?? defaultRetryDelay)(m.info.deliveryCount);
            logger.warn({ err, subject: m.subject, seq: m.seq, delivery: m.info.deliveryCount, retry_in_ms: Math.round(delay) }, "handler failed; will retry");
            m.nak(Math.round(delay));
          }
        } finally {
          span.end();
        }
      },
    );
  };

  const loop = (async () => {
    for await (const m of messages) {
      const task = context.with(ROOT_CONTEXT, () => process(m)).catch((err) => {
        // Only a failed dead-letter publish gets here; without an ack the message comes back.
        logger.error({ err, subject: m.subject, seq: m.seq }, "message handling failed");
      });
      inFlight.add(task);
      void task.finally(() => {
        inFlight.delete(task);
        wake?.();
      });
      while (inFlight.size >= opts.concurrency) {
        await new Promise<void>((resolve) => (wake = resolve));
      }
      if (!running) break;
    }
  })();

  return {
    isRunning: () => running,
    async stop() {
      if (!running) return;
      running = false;
      messages.stop();
      await loop.catch(() => undefined);
      // The acks of these handlers reach the server when the caller drains the connection.
      await Promise.allSettled([...inFlight]);
    },
  };
}
