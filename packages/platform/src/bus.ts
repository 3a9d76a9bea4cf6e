// Publishing to JetStream the same way in every service (validated, deduplicated by
// message id, traced through W3C headers), dead-lettering, and what the consumers
// (consumer.ts, batch-consumer.ts) hand to their handlers.
import { context, propagation, SpanKind, SpanStatusCode, trace, type Context } from "@opentelemetry/api";
import { headers as natsHeaders, type MsgHdrs } from "@nats-io/transport-node";
import type { JetStreamClient, JsMsg, PubAck } from "@nats-io/jetstream";
import pRetry from "p-retry";
import type { z } from "zod";
import { ChorusEvent, type Topology } from "@chorus/contracts";
import type { Logger } from "./logger.ts";
import { recordDeadLetter, recordEventMetrics } from "./metrics.ts";

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

/**
 * Copies a message to `<prefix>.dlq.<its subject>`, with the reason, where it came from
 * and its trace in headers, and counts it in /metrics; the message itself is left to the
 * caller (see deadLetterMessage). A copy made again (a redelivery of a message whose ack
 * was lost) is dropped by its message id and not counted twice.
 */
export async function copyToDeadLetters(js: JetStreamClient, t: Topology, stream: string, m: JsMsg, reason: string, logger: Logger): Promise<void> {
  const h = natsHeaders();
  h.set(HEADER.reason, reason.slice(0, 1000));
  h.set(HEADER.fromSubject, m.subject);
  h.set(HEADER.fromSequence, String(m.seq));
  h.set(HEADER.deliveries, String(m.info.deliveryCount));
  for (const k of ["traceparent", "tracestate", HEADER.correlationId]) {
    const v = m.headers?.get(k);
    if (v) h.set(k, v);
  }
  const ack = await js.publish(t.subjects.deadLetter(m.subject), m.data, { headers: h, msgID: `dlq:${stream}:${m.seq}` });
  if (!ack.duplicate) recordDeadLetter({ stream, consumer: m.info.consumer });
  logger.error({ subject: m.subject, seq: m.seq, deliveries: m.info.deliveryCount, reason }, "message dead-lettered");
}

/**
 * Copies a message that can never be handled to the dead-letter subject, then acks it.
 * Ack, not term: on a work-queue stream a terminated message would stay stored forever;
 * the copy keeps it.
 */
export async function deadLetterMessage(js: JetStreamClient, t: Topology, stream: string, m: JsMsg, reason: string, logger: Logger): Promise<void> {
  await copyToDeadLetters(js, t, stream, m, reason, logger);
  m.ack();
}

/** Where a consumer's messages are settled: its stream, its max_deliver, how long a failure waits. */
export type SettleContext = {
  js: JetStreamClient;
  topology: Topology;
  stream: string;
  maxDeliver: number;
  logger: Logger;
  retryDelayMs?: (deliveryCount: number) => number;
};

/**
 * What a handler asked for, done: ack, or nak with its delay — or, on the last delivery,
 * a copy to the dead-letter subject, since the server would not deliver it again and the
 * message would vanish unseen.
 */
export async function settleResult(ctx: SettleContext, m: JsMsg, result: HandleResult): Promise<void> {
  if (!result || !("retryInMs" in result)) m.ack();
  else if (m.info.deliveryCount >= ctx.maxDeliver) await deadLetterMessage(ctx.js, ctx.topology, ctx.stream, m, `still to be retried after ${m.info.deliveryCount} deliveries`, ctx.logger);
  else m.nak(Math.max(0, Math.round(result.retryInMs)));
}

/** A handler that threw: redelivered after the retry delay, or dead-lettered with the error on the last delivery. */
export async function settleFailure(ctx: SettleContext, m: JsMsg, err: unknown): Promise<void> {
  const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  if (m.info.deliveryCount >= ctx.maxDeliver) {
    await deadLetterMessage(ctx.js, ctx.topology, ctx.stream, m, `failed after ${m.info.deliveryCount} deliveries: ${reason}`, ctx.logger);
  } else {
    m.nak(Math.round((ctx.retryDelayMs ?? defaultRetryDelay)(m.info.deliveryCount)));
  }
}

export type Delivery = {
  subject: string;
  /** Stream sequence of this message. */
  seq: number;
  /** 1 on first delivery. */
  deliveryCount: number;
  /**
   * This message was handled before and that handling may have died midway: it is a
   * redelivery, or a run again in place after NATS was unavailable (see runConsumer).
   */
  handledBefore: boolean;
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

/** Before a failed message is redelivered: 250 ms doubling to 30 s, jittered. */
export const defaultRetryDelay = (n: number) => Math.min(30_000, 250 * 2 ** (n - 1)) * (0.5 + Math.random() / 2);
