// The webhook service's I/O shell: ensures its durables and runs one consumer per
// end subject and one for manual redeliveries, each feeding attemptDelivery with its chain.
import { ChorusEvent, RedeliverWebhook, isEndEvent } from "@chorus/contracts";
import { ensureDurable, isNotFound, runConsumer, startConsumerGroup, type ConsumerGroup, type DurableSpec, type JetStreamManager, type Logger } from "@chorus/platform";
import { attemptDelivery, type AttemptDeps } from "./attempt.ts";
import { DURABLES, durableSpecs, maxDeliverFor } from "./durables.ts";
import { endEventOf, firstSequenceOn } from "./stream-reads.ts";

export type WebhooksDeps = AttemptDeps & {
  /** Deliveries in flight at once, per consumer, in this process. */
  concurrency: number;
};

/** Stops pulling and waits for deliveries in flight; running while every consumer pulls. */
export type Webhooks = ConsumerGroup;

export async function startWebhooks(deps: WebhooksDeps): Promise<Webhooks> {
  const { js, jsm, topology: t, logger } = deps;
  const limits = { maxRetries: deps.policy.maxRetries, timeoutMs: deps.timeoutMs };
  const specs = durableSpecs(t, limits);
  await dropDurableWithOldFilter(jsm, specs.redeliver, logger);
  for (const spec of Object.values(specs)) await ensureDurable(jsm, spec);
  const attemptDeps: AttemptDeps = deps;
  const common = { js, topology: t, logger, concurrency: deps.concurrency, maxDeliver: maxDeliverFor(limits) };

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
        return attemptDelivery(attemptDeps, event, { key: "end", manual: false, afterSeq: delivery.seq, afterAttempt: 0, correlationId: event.correlation_id }, delivery.deliveryCount);
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
        const chain = { key: command.id, manual: true, afterSeq: command.data.after_seq, afterAttempt: command.data.after_attempt, correlationId: command.correlation_id };
        return attemptDelivery(attemptDeps, end, chain, delivery.deliveryCount);
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
