// Dead-lettering: a message that can never be handled is copied, with its reason and
// provenance in headers, to `<prefix>.dlq.<its subject>` and counted, so nothing vanishes.
import { headers as natsHeaders } from "@nats-io/transport-node";
import type { JetStreamClient, JsMsg } from "@nats-io/jetstream";
import type { Topology } from "@chorus/contracts";
import type { Logger } from "./logger.ts";
import { recordDeadLetter } from "./metrics.ts";
import { HEADER } from "./publish.ts";

/**
 * Copies a message to `<prefix>.dlq.<its subject>`, with the reason, where it came from
 * and its trace in headers, and counts it in /metrics; the message itself is left to the
 * caller (see deadLetterMessage). A copy made again by the same consumer (a redelivery of a
 * message whose ack was lost) is dropped by its message id and not counted twice.
 */
export async function copyToDeadLetters(js: JetStreamClient, t: Topology, stream: string, m: JsMsg, reason: string, logger: Logger): Promise<void> {
  const h = natsHeaders();
  h.set(HEADER.reason, reason.slice(0, 1000));
  h.set(HEADER.fromSubject, m.subject);
  h.set(HEADER.fromSequence, String(m.seq));
  h.set(HEADER.deliveries, String(m.info.deliveryCount));
  h.set(HEADER.consumer, m.info.consumer);
  for (const k of ["traceparent", "tracestate", HEADER.correlationId]) {
    const v = m.headers?.get(k);
    if (v) h.set(k, v);
  }
  // One copy per message and consumer: the durables that share a message (an accept's
  // agents, the projector and the orchestrator) each give up for reasons of their own.
  const ack = await js.publish(t.subjects.deadLetter(m.subject), m.data, { headers: h, msgID: `dlq:${stream}:${m.info.consumer}:${m.seq}` });
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
