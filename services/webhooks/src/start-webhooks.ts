// The webhook service's I/O shell: ensures its durables and runs one consumer per
// end subject and one for manual redeliveries, each feeding attemptDelivery with its chain.
// The consumers share one set of send slots, shared fairly between endpoints.
import { ChorusEvent, RedeliverWebhook, isEndEvent } from "@chorus/contracts";
import { ensureDurable, isNotFound, runConsumer, startConsumerGroup, type ConsumerGroup, type Delivery, type DurableSpec, type JetStreamManager, type Logger } from "@chorus/platform";
import { attemptDelivery, type AttemptDeps, type Waiting } from "./attempt.ts";
import { kvCircuitStore } from "./circuit-store.ts";
import { sendSlots } from "./delivery/index.ts";
import { DURABLES, LAST_RESORT_DELIVERIES, durableSpecs } from "./durables.ts";
import { endEventOf, firstSequenceOn } from "./stream-reads.ts";

export type WebhooksDeps = AttemptDeps & {
  /** Webhook sends in flight at once in this process (WEBHOOK_CONCURRENCY). */
  concurrency: number;
  /** Of those, sends to one endpoint (WEBHOOK_ENDPOINT_CONCURRENCY); default 4. */
  endpointConcurrency?: number;
  /** Circuit breaking per endpoint (WEBHOOK_CIRCUIT_FAILURES, WEBHOOK_CIRCUIT_PROBE_INTERVAL_MS); none or 0 failures: off. */
  circuit?: { failures: number; openMs: number };
};

/** A probe may take an attempt's whole timeout and its recording; past this, another delivery may probe. */
const PROBE_LEASE_MARGIN_MS = 15_000;

/**
 * Deliveries each consumer holds at once: far more than the sends allowed, since most of
 * them wait — for their endpoint's turn, or for the receiver — and a waiting one costs only
 * memory. A slow endpoint's backlog must not fill them, so it is bounded by its own sends.
 */
const HANDLERS_PER_SEND_SLOT = 64;

/** Stops pulling and waits for deliveries in flight; running while every consumer pulls. */
export type Webhooks = ConsumerGroup;

export async function startWebhooks(deps: WebhooksDeps): Promise<Webhooks> {
  const { js, jsm, topology: t, logger } = deps;
  const specs = durableSpecs(t, { timeoutMs: deps.timeoutMs });
  await dropDurableWithOldFilter(jsm, specs.redeliver, logger);
  for (const spec of Object.values(specs)) await ensureDurable(jsm, spec);
  const circuits =
    deps.circuits ??
    (deps.circuit && deps.circuit.failures > 0
      ? kvCircuitStore({ js, topology: t, policy: { ...deps.circuit, probeLeaseMs: deps.timeoutMs + PROBE_LEASE_MARGIN_MS } })
      : undefined);
  const attemptDeps: AttemptDeps = {
    ...deps,
    slots: deps.slots ?? sendSlots({ total: deps.concurrency, perEndpoint: deps.endpointConcurrency ?? 4 }),
    ...(circuits ? { circuits } : {}),
  };
  const common = { js, topology: t, logger, concurrency: deps.concurrency * HANDLERS_PER_SEND_SLOT, maxDeliver: LAST_RESORT_DELIVERIES };
  // A third of the ack wait: a delivery waiting for a send slot is not taken for a dead one.
  const waiting = (delivery: Delivery): Waiting => ({ working: () => delivery.working(), everyMs: Math.floor(specs.completed.ackWaitMs / 3) });

  const onEnd = (durable: string) => () =>
    runConsumer({
      ...common,
      stream: t.streams.events,
      durable,
      schema: ChorusEvent,
      handle: async (event, delivery) => {
        if (!isEndEvent(event) || !event.data.webhook) return;
        // A second copy of the end (stored again after the duplicate window) is not a second round.
        const first = await firstSequenceOn(jsm, t, delivery.subject);
        if (first !== undefined && first !== delivery.seq) {
          logger.warn({ request_id: event.request_id, seq: delivery.seq, first_seq: first }, "duplicate end event; its webhook is already being delivered");
          return;
        }
        return attemptDelivery(attemptDeps, event, { key: "end", manual: false, afterSeq: delivery.seq, afterAttempt: 0, startedAt: event.occurred_at, correlationId: event.correlation_id }, waiting(delivery));
      },
    });
  const onRedeliver = () =>
    runConsumer({
      ...common,
      stream: t.streams.commands,
      durable: DURABLES.redeliver,
      schema: RedeliverWebhook,
      handle: async (command, delivery) => {
        const end = await endEventOf(jsm, t, command.request_id);
        if (!end?.data.webhook) {
          logger.warn({ request_id: command.request_id }, "redelivery asked for a request that has not ended or has no webhook; dropped");
          return;
        }
        const chain = { key: command.id, manual: true, afterSeq: command.data.after_seq, afterAttempt: command.data.after_attempt, startedAt: command.occurred_at, correlationId: command.correlation_id };
        return attemptDelivery(attemptDeps, end, chain, waiting(delivery));
      },
    });
  return startConsumerGroup([onEnd(DURABLES.completed), onEnd(DURABLES.failed), onRedeliver]);
}

/**
 * Redeliveries moved from one subject to one per request (3df5922, 2026-11-29); a durable
 * still filtering the old subject (the filter of a durable cannot be changed on NATS 2.9)
 * is made anew. Commands left on the old subject by an older gateway are not taken: they
 * are asked for again.
 *
 * Removal: an upgrade step. Once every deployment has run a webhooks service that includes
 * 3df5922, delete this function and its call in startWebhooks; a durable created since
 * already has the new filter and skips it.
 */
async function dropDurableWithOldFilter(jsm: JetStreamManager, spec: DurableSpec, logger: Logger): Promise<void> {
  try {
    const info = await jsm.consumers.info(spec.stream, spec.durable);
    if (info.config.filter_subject === spec.filterSubject) return;
    logger.warn({ durable: spec.durable, from: info.config.filter_subject, to: spec.filterSubject }, "redelivery durable has an old filter subject; making it anew");
    await jsm.consumers.delete(spec.stream, spec.durable);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
