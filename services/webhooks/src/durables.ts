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
 * A chain's message is delivered again for each retry and also woken to wait (an endpoint
 * whose circuit is open), so its delivery count says nothing about attempts: a chain's
 * budget is its recorded attempts (chain.ts), its time is bounded by its deadline
 * (WEBHOOK_CHAIN_DEADLINE_MS). This bound is the last resort beyond both — a handler that
 * fails this often (a bug, an outage of days) has its message dead-lettered with its reason
 * rather than retried for ever. A chain waiting on a circuit for its whole default deadline
 * is woken about 1,200 times.
 */
export const LAST_RESORT_DELIVERIES = 10_000;

/** Messages waiting for their next attempt or for a circuit count as pending: room for a dead endpoint's backlog over a chain's deadline. */
const MAX_ACK_PENDING = 200_000;

export function durableSpecs(t: Topology, limits: ConsumerLimits): Record<keyof typeof DURABLES, DurableSpec> {
  const common = {
    maxDeliver: LAST_RESORT_DELIVERIES,
    // An attempt may take the whole timeout; only a dead replica's message should come back.
    ackWaitMs: limits.timeoutMs + 30_000,
    maxAckPending: MAX_ACK_PENDING,
  };
  return {
    // New: a first start must not replay the webhooks of every request ever recorded.
    completed: { ...common, stream: t.streams.events, durable: DURABLES.completed, filterSubject: t.subjects.requestEnds("completed"), deliverPolicy: DeliverPolicy.New },
    failed: { ...common, stream: t.streams.events, durable: DURABLES.failed, filterSubject: t.subjects.requestEnds("failed"), deliverPolicy: DeliverPolicy.New },
    redeliver: { ...common, stream: t.streams.commands, durable: DURABLES.redeliver, filterSubject: t.subjects.webhookRedelivers },
  };
}
