// The live projector: the durable `projector` consumer over every event, applying them to
// the read models a batch per transaction (whatever arrived while the last one was being
// written). A failure (Postgres down) is retried with a capped backoff and never
// dead-letters a good event: max_deliver is unlimited.
import { ChorusEvent, type Topology } from "@chorus/contracts";
import {
  READ_MODEL_SCHEMA,
  ensureDurable,
  runBatchConsumer,
  type ConsumerHandle,
  type DatabasePool,
  type JetStreamClient,
  type JetStreamManager,
  type Logger,
} from "@chorus/platform";
import { projectEvents, type ApplyOutcome } from "./store/index.ts";

export const PROJECTOR_DURABLE = "projector";

export type ProjectorDeps = {
  js: JetStreamClient;
  jsm: JetStreamManager;
  topology: Topology;
  pool: DatabasePool;
  logger: Logger;
  /** Most events applied in one transaction. */
  maxBatch?: number;
  schema?: string;
  durable?: string;
  /** Delay before a failed event is tried again, by delivery count. */
  retryDelayMs?: (deliveryCount: number) => number;
  /** Delay before a webhook fact whose request row is missing is tried again. */
  waitForRequestMs?: number;
  /** After this many deliveries a waiting event is applied without its request row part. */
  maxWaitDeliveries?: number;
};

export type ProjectorStats = Record<ApplyOutcome, number>;

export type Projector = {
  consumer: ConsumerHandle;
  /** Events handled by this process, by outcome. */
  stats(): ProjectorStats;
  stop(): Promise<void>;
};

const ACK_WAIT_MS = 30_000;

/** 200 ms doubling to 10 s, jittered: quick after a blip, gentle during an outage. */
export function capped(deliveryCount: number): number {
  return Math.min(10_000, 200 * 2 ** Math.min(deliveryCount - 1, 16)) * (0.75 + Math.random() / 4);
}

export async function startProjector(deps: ProjectorDeps): Promise<Projector> {
  const t = deps.topology;
  const schema = deps.schema ?? READ_MODEL_SCHEMA;
  const durable = deps.durable ?? PROJECTOR_DURABLE;
  const maxBatch = deps.maxBatch ?? 256;
  const maxWaitDeliveries = deps.maxWaitDeliveries ?? 30;
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
  const stats: ProjectorStats = { applied: 0, applied_without_request: 0, duplicate: 0, waiting: 0 };
  const consumer = await runBatchConsumer({
    js: deps.js,
    topology: t,
    stream: t.streams.events,
    durable,
    schema: ChorusEvent,
    maxBatch,
    maxDeliver: Infinity,
    logger: deps.logger,
    retryDelayMs: deps.retryDelayMs ?? capped,
    handleBatch: async (items) => {
      // A webhook fact whose request row is missing waits, a bounded number of times, then is applied without it.
      const patience = (count: number) => count < maxWaitDeliveries;
      const patient = items.filter((i) => patience(i.delivery.deliveryCount));
      const impatient = items.filter((i) => !patience(i.delivery.deliveryCount));
      const outcomes = new Map<(typeof items)[number], ApplyOutcome>();
      for (const [group, whenRequestMissing] of [
        [patient, "wait"],
        [impatient, "apply"],
      ] as const) {
        if (group.length === 0) continue;
        const applied = await projectEvents(deps.pool, schema, group.map((i) => ({ event: i.message, seq: i.delivery.seq })), { whenRequestMissing });
        group.forEach((item, i) => outcomes.set(item, applied[i] ?? "duplicate"));
      }
      return items.map((item) => {
        const outcome = outcomes.get(item) ?? "duplicate";
        stats[outcome] += 1;
        if (outcome === "waiting") return { retryInMs: deps.waitForRequestMs ?? 1_000 };
        if (outcome === "applied_without_request") {
          deps.logger.warn({ request_id: item.message.request_id, type: item.message.type, seq: item.delivery.seq }, "request row never appeared; applied the event without it");
        }
        return undefined;
      });
    },
  });
  deps.logger.info({ durable, schema, max_batch: maxBatch }, "projector consuming events");
  return { consumer, stats: () => ({ ...stats }), stop: () => consumer.stop() };
}
