// The webhook service's durable consumers: one per end subject on the events stream
// (NATS 2.9 takes one filter subject per consumer) and one for manual redeliveries.
import type { Topology } from "@chorus/contracts";
import { DeliverPolicy, type DurableSpec } from "@chorus/platform";

export const DURABLES = {
  completed: "webhooks-completed",
  failed: "webhooks-failed",
  redeliver: "webhooks-redeliver",
} as const;

/** Deliveries a failing handler (not a failing receiver) may use beyond the schedule. */
const HANDLER_FAILURE_HEADROOM = 3;

export type ConsumerLimits = { maxRetries: number; timeoutMs: number };

export function maxDeliverFor(limits: ConsumerLimits): number {
  return limits.maxRetries + 1 + HANDLER_FAILURE_HEADROOM;
}

export function durableSpecs(t: Topology, limits: ConsumerLimits): Record<keyof typeof DURABLES, DurableSpec> {
  const common = {
    maxDeliver: maxDeliverFor(limits),
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
