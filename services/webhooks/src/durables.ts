// The webhook service's durable consumers: one per end subject on the events stream
// (NATS 2.9 takes one filter subject per consumer) and one for manual redeliveries.
import type { Topology } from "@chorus/contracts";
import { DeliverPolicy, type DurableSpec } from "@chorus/platform";

export const DURABLES = {
  completed: "webhooks-completed",
  failed: "webhooks-failed",
  redeliver: "webhooks-redeliver",
} as const;

export type ConsumerLimits = { timeoutMs: number };

/**
 * No limit on deliveries (JetStream's -1): a chain's message is delivered again for each
 * retry and also woken to wait (an endpoint whose circuit is open), so its delivery count
 * says nothing about attempts. A chain's budget is its recorded attempts (chain.ts); a
 * handler that throws is redelivered with the consumer's backoff until it gets through.
 */
export const UNLIMITED_DELIVERIES = -1;

export function durableSpecs(t: Topology, limits: ConsumerLimits): Record<keyof typeof DURABLES, DurableSpec> {
  const common = {
    maxDeliver: UNLIMITED_DELIVERIES,
    // An attempt may take the whole timeout; only a dead replica's message should come back.
    ackWaitMs: limits.timeoutMs + 30_000,
    // Messages waiting for their next attempt (nak with delay) count as pending.
    maxAckPending: 10_000,
  };
  return {
    // New: a first start must not replay the webhooks of every request ever recorded.
    completed: { ...common, stream: t.streams.events, durable: DURABLES.completed, filterSubject: t.subjects.requestEnds("completed"), deliverPolicy: DeliverPolicy.New },
    failed: { ...common, stream: t.streams.events, durable: DURABLES.failed, filterSubject: t.subjects.requestEnds("failed"), deliverPolicy: DeliverPolicy.New },
    redeliver: { ...common, stream: t.streams.commands, durable: DURABLES.redeliver, filterSubject: t.subjects.webhookRedelivers },
  };
}
