// The live projector: the durable `projector` consumer over every event, applying them to
// the read models a batch per transaction (whatever arrived while the last one was being
// written). A failure (Postgres down) is retried with a capped backoff and never
// dead-letters a good event: max_deliver is unlimited. Only an event the read models
// cannot take is held back: one carrying text Postgres cannot store (found up front), or
// one Postgres refuses as data (data-errors.ts; its batch is applied again one event at a
// time, so the rest goes in). After a few deliveries it is recorded (failures.ts) and
// dead-lettered with its reason.
import { ChorusEvent, type Topology } from "@chorus/contracts";
import {
  READ_MODEL_SCHEMA,
  ensureDurable,
  runBatchConsumer,
  type BatchItem,
  type ConsumerHandle,
  type DatabasePool,
  type HandleResult,
  type JetStreamClient,
  type JetStreamManager,
  type Logger,
} from "@chorus/platform";
import { mayCarryUnstorableText } from "./projection/index.ts";
import { describeDataError, failureReason, isDataError, applyEvents, recordFailureIn, unstorable, type ApplyOptions, type ApplyOutcome } from "./store/index.ts";

export const PROJECTOR_DURABLE = "projector";

export type ProjectorDeps = {
  js: JetStreamClient;
  jsm: JetStreamManager;
  topology: Topology;
  pool: DatabasePool;
  logger: Logger;
  /** Most events applied in one transaction. */
  maxBatch?: number;
  /** How long an event may wait, from its arrival, for others to join its batch (PROJECTOR_BATCH_LINGER_MS). */
  lingerMs?: number;
  schema?: string;
  durable?: string;
  /** Delay before a failed event is tried again, by delivery count. */
  retryDelayMs?: (deliveryCount: number) => number;
  /** Delay before a webhook fact whose request row is missing is tried again. */
  waitForRequestMs?: number;
  /** After this many deliveries a waiting event is applied without its request row part. */
  maxWaitDeliveries?: number;
  /** On this delivery an event Postgres still refuses as data is recorded and dead-lettered. */
  maxDataErrorDeliveries?: number;
};

export type ProjectorStats = Record<ApplyOutcome | "dead_lettered", number>;

/** What readiness shows of the events this process dead-lettered. */
export type DeadLetters = {
  count: number;
  last: { seq: number; subject: string; type: string; request_id: string; reason: string; at: string } | null;
};

export type Projector = {
  consumer: ConsumerHandle;
  /** Events handled by this process, by outcome. */
  stats(): ProjectorStats;
  /** Events this process dead-lettered, and the last of them. */
  deadLetters(): DeadLetters;
  stop(): Promise<void>;
};

const ACK_WAIT_MS = 30_000;

/** 200 ms doubling to 10 s, jittered: quick after a blip, gentle during an outage. */
export function capped(deliveryCount: number): number {
  return Math.min(10_000, 200 * 2 ** Math.min(deliveryCount - 1, 16)) * (0.75 + Math.random() / 4);
}

type Item = BatchItem<ChorusEvent>;
type Outcome = ApplyOutcome | "dead_lettered" | { retryInMs: number };

export async function startProjector(deps: ProjectorDeps): Promise<Projector> {
  const t = deps.topology;
  const schema = deps.schema ?? READ_MODEL_SCHEMA;
  const durable = deps.durable ?? PROJECTOR_DURABLE;
  const maxBatch = deps.maxBatch ?? 256;
  const maxWaitDeliveries = deps.maxWaitDeliveries ?? 30;
  const maxDataErrorDeliveries = deps.maxDataErrorDeliveries ?? 5;
  const retryDelayMs = deps.retryDelayMs ?? capped;
  const waitForRequestMs = deps.waitForRequestMs ?? 1_000;
  await ensureDurable(deps.jsm, {
    stream: t.streams.events,
    durable,
    filterSubject: t.subjects.allEvents,
    ackWaitMs: ACK_WAIT_MS,
    // Unlimited: events are the system of record and a Postgres outage may last long.
    maxDeliver: -1,
    // Room for a batch in hand and the next one queued, for a few replicas.
    maxAckPending: Math.max(1_024, maxBatch * 8),
  });
  const stats: ProjectorStats = { applied: 0, applied_without_request: 0, duplicate: 0, waiting: 0, dead_lettered: 0 };
  // The count is stats.dead_lettered; only the last one's details are kept here.
  let lastDeadLetter: DeadLetters["last"] = null;

  // A webhook fact whose request row is missing waits, a bounded number of times, then is applied without it.
  const optionsFor = (item: Item): ApplyOptions => ({ whenRequestMissing: item.delivery.deliveryCount < maxWaitDeliveries ? "wait" : "apply" });

  /** The patient and the impatient in a transaction each; outcomes by item. */
  const apply = async (items: Item[]): Promise<Map<Item, Outcome>> => {
    const outcomes = new Map<Item, Outcome>();
    for (const whenRequestMissing of ["wait", "apply"] as const) {
      const group = items.filter((i) => optionsFor(i).whenRequestMissing === whenRequestMissing);
      if (group.length === 0) continue;
      const applied = await applyEvents(deps.pool, schema, group.map((i) => ({ event: i.message, seq: i.delivery.seq })), { whenRequestMissing });
      group.forEach((item, i) => outcomes.set(item, applied[i] ?? "duplicate"));
    }
    return outcomes;
  };

  /** An event the read models cannot take (unstorable text, or data Postgres refused): tried again a few times, then recorded and dead-lettered. */
  const refused = async (item: Item, err: unknown): Promise<Outcome> => {
    const { message: event, delivery } = item;
    const reason = failureReason({ event, seq: delivery.seq }, err);
    const log = deps.logger.child({ request_id: event.request_id, type: event.type, seq: delivery.seq, delivery: delivery.deliveryCount });
    if (delivery.deliveryCount < maxDataErrorDeliveries) {
      log.warn({ reason, dead_letter_on_delivery: maxDataErrorDeliveries }, "event could not be projected; it will be tried again before it is dead-lettered");
      return { retryInMs: retryDelayMs(delivery.deliveryCount) };
    }
    const recorded = await deps.pool.transaction(async (tx) => {
      const outcome = await recordFailureIn(tx, schema, { event, seq: delivery.seq, reason }, optionsFor(item));
      // Copied before the record commits: should the copy fail, nothing is recorded and the event comes back.
      if (outcome === "recorded") await item.deadLetter(reason);
      return outcome;
    });
    if (recorded !== "recorded") return recorded;
    lastDeadLetter = { seq: delivery.seq, subject: delivery.subject, type: event.type, request_id: event.request_id, reason, at: new Date().toISOString() };
    return "dead_lettered";
  };

  /** A batch Postgres refused as data, applied again one event at a time in stream order: only what it refuses is held back. */
  const isolate = async (items: Item[], err: unknown): Promise<Map<Item, Outcome>> => {
    if (items.length === 1) return new Map([[items[0] as Item, await refused(items[0] as Item, err)]]);
    deps.logger.warn({ reason: describeDataError(err), events: items.length }, "Postgres refused a batch; applying its events one at a time");
    const outcomes = new Map<Item, Outcome>();
    for (const item of [...items].sort((a, b) => a.delivery.seq - b.delivery.seq)) {
      try {
        for (const [i, outcome] of await apply([item])) outcomes.set(i, outcome);
      } catch (itemErr) {
        // Anything else (Postgres gone meanwhile) fails the batch: what was applied is a duplicate next time.
        if (!isDataError(itemErr)) throw itemErr;
        outcomes.set(item, await refused(item, itemErr));
      }
    }
    return outcomes;
  };

  const settle = (item: Item, outcome: Outcome): HandleResult => {
    if (typeof outcome === "object") return outcome;
    stats[outcome] += 1;
    if (outcome === "waiting") return { retryInMs: waitForRequestMs };
    if (outcome === "applied_without_request") {
      deps.logger.warn({ request_id: item.message.request_id, type: item.message.type, seq: item.delivery.seq }, "request row never appeared; applied the event without it");
    }
    return undefined;
  };

  const consumer = await runBatchConsumer({
    js: deps.js,
    topology: t,
    stream: t.streams.events,
    durable,
    schema: ChorusEvent,
    maxBatch,
    lingerMs: deps.lingerMs ?? 0,
    maxDeliver: Infinity,
    logger: deps.logger,
    retryDelayMs,
    handleBatch: async (items) => {
      const outcomes = new Map<Item, Outcome>();
      // Only an event whose raw JSON holds a NUL or surrogate escape is walked for unstorable text: hardly ever.
      const refusals = new Map(items.map((item) => [item, mayCarryUnstorableText(item.delivery.raw.data) ? unstorable(item.message) : null]));
      const clean = items.filter((item) => !refusals.get(item));
      if (clean.length > 0) {
        try {
          for (const [item, outcome] of await apply(clean)) outcomes.set(item, outcome);
        } catch (err) {
          // Postgres away, or anything else that says nothing about the events: the whole batch is retried, without limit.
          if (!isDataError(err)) throw err;
          for (const [item, outcome] of await isolate(clean, err)) outcomes.set(item, outcome);
        }
      }
      for (const [item, refusal] of refusals) if (refusal) outcomes.set(item, await refused(item, refusal));
      return items.map((item) => settle(item, outcomes.get(item) ?? "duplicate"));
    },
  });
  deps.logger.info({ durable, schema, max_batch: maxBatch, dead_letter_on_delivery: maxDataErrorDeliveries }, "projector consuming events");
  return {
    consumer,
    stats: () => ({ ...stats }),
    deadLetters: () => ({ count: stats.dead_lettered, last: lastDeadLetter && { ...lastDeadLetter } }),
    stop: () => consumer.stop(),
  };
}
