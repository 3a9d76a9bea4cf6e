// Publishing to JetStream the same way in every service: validated, deduplicated by
// message id, retried, traced through W3C headers.
import { context, propagation, SpanKind, SpanStatusCode, trace, type Context } from "@opentelemetry/api";
import { headers as natsHeaders, type MsgHdrs } from "@nats-io/transport-node";
import type { JetStreamClient, PubAck } from "@nats-io/jetstream";
import pRetry from "p-retry";
import type { z } from "zod";
import { ChorusEvent, type Topology } from "@chorus/contracts";
import { recordEventMetrics } from "./metrics.ts";
import { isStoreFull, noteStoreAccepted, noteStoreRefusal } from "./store-full.ts";

const tracer = trace.getTracer("chorus.bus");

/** Chorus's own message headers (dead-letter provenance, correlation, event type). */
export const HEADER = {
  reason: "Chorus-Dead-Letter-Reason",
  fromSubject: "Chorus-Dead-Letter-Subject",
  fromSequence: "Chorus-Dead-Letter-Sequence",
  deliveries: "Chorus-Dead-Letter-Deliveries",
  /** The durable that gave up on the message: one message may be dead-lettered by several (an accept, by each agent). */
  consumer: "Chorus-Dead-Letter-Consumer",
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
        const ack = await pRetry(
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
            // A conflict (wrong last sequence) is an answer, not a transient failure; a full
            // store is not one either: it lasts until someone makes space.
            shouldRetry: ({ error }) => !isWrongLastSequence(error) && !isStoreFull(error),
          },
        );
        noteStoreAccepted();
        return ack;
      } catch (err) {
        if (isStoreFull(err)) noteStoreRefusal(err, `a message on ${subject}`);
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
