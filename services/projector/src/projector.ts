// The live projector: the durable `projector` consumer over every event, applying each
// to the read models in its own transaction. A failure (Postgres down) is retried with
// a capped backoff and never dead-letters a good event: max_deliver is unlimited.
import { ChorusEvent, type Topology } from "@chorus/contracts";
import {
  READ_MODEL_SCHEMA,
  ensureDurable,
  runConsumer,
  type ConsumerHandle,
  type DatabasePool,
  type JetStreamClient,
  type JetStreamManager,
  type Logger,
} from "@chorus/platform";
import { projectEvent, type ApplyOutcome } from "./store/index.ts";

export const PROJECTOR_DURABLE = "projector";

export type ProjectorDeps = {
  js: JetStreamClient;
  jsm: JetStreamManager;
  topology: Topology;
  pool: DatabasePool;
  logger: Logger;
  /** Handlers running at once in this process. */
  concurrency?: number;
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
  const concurrency = deps.concurrency ?? 8;
  const maxWaitDeliveries = deps.maxWaitDeliveries ?? 30;
  await ensureDurable(deps.jsm, {
    stream: t.streams.events,
    durable,
    filterSubject: t.subjects.allEvents,
    ackWaitMs: ACK_WAIT_MS,
    // Unlimited: events are the system of record and a Postgres outage may last long.
    maxDeliver: -1,
    maxAckPending: Math.max(256, concurrency * 16),
  });
  const stats: ProjectorStats = { applied: 0, applied_without_request: 0, duplicate: 0, waiting: 0 };
  const consumer = await runConsumer({
    js: deps.js,
    topology: t,
    stream: t.streams.events,
    durable,
    schema: ChorusEvent,
    concurrency,
    maxDeliver: Infinity,
    logger: deps.logger,
    retryDelayMs: deps.retryDelayMs ?? capped,
    handle: async (event, delivery) => {
      const patient = delivery.deliveryCount < maxWaitDeliveries;
      const outcome = await projectEvent(deps.pool, schema, event, delivery.seq, { whenRequestMissing: patient ? "wait" : "apply" });
      stats[outcome] += 1;
      if (outcome === "waiting") return { retryInMs: deps.waitForRequestMs ?? 1_000 };
      if (outcome === "applied_without_request") {
        deps.logger.warn({ request_id: event.request_id, type: event.type, seq: delivery.seq }, "request row never appeared; applied the event without it");
      }
    },
  });
  deps.logger.info({ durable, schema, concurrency }, "projector consuming events");
  return { consumer, stats: () => ({ ...stats }), stop: () => consumer.stop() };
}
