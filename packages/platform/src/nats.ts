// The NATS connection and the JetStream topology. Streams are created (or updated)
// idempotently at start-up; each service ensures the consumers it owns.
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { nanos } from "@nats-io/transport-node";
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  jetstream,
  jetstreamManager,
  type ConsumerConfig,
  type JetStreamClient,
  type JetStreamManager,
  type StreamConfig,
} from "@nats-io/jetstream";
import type { Topology } from "@chorus/contracts";
import type { Logger } from "./logger.ts";

export type { NatsConnection, JetStreamClient, JetStreamManager };

/** What code working on the streams is handed: the JetStream clients, this deployment's subjects and streams, and a logger. */
export type StreamClients = { js: JetStreamClient; jsm: JetStreamManager; topology: Topology; logger: Logger };

export type NatsOptions = { url: string; name: string; logger: Logger };

/** Connects and keeps reconnecting forever: a broker outage makes a service not ready, never dead. */
export async function connectNats({ url, name, logger }: NatsOptions): Promise<NatsConnection> {
  const nc = await connect({
    servers: url.split(",").map((s) => s.trim()),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
    waitOnFirstConnect: false,
    // Every request (each publish ack, each stream read) would otherwise build two Error
    // objects to keep the caller's stack for a possible timeout: 7% of the orchestrator's
    // CPU under load. Our errors are logged with the subject, which says enough.
    noAsyncTraces: true,
  });
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === "disconnect" || s.type === "reconnect" || s.type === "error") {
        logger.warn({ nats_status: s.type }, `nats ${s.type}`);
      }
    }
  })();
  return nc;
}

export type StreamLimits = {
  /** Max age of events, ms; 0 keeps them forever. */
  eventsMaxAgeMs: number;
  /** Window in which a repeated Nats-Msg-Id is dropped as a duplicate, ms. */
  duplicateWindowMs: number;
  replicas?: number;
};

export const DEFAULT_STREAM_LIMITS: StreamLimits = { eventsMaxAgeMs: 0, duplicateWindowMs: 10 * 60_000 };

export function streamConfigs(t: Topology, limits: StreamLimits): (Partial<StreamConfig> & { name: string })[] {
  const common = {
    storage: StorageType.File,
    num_replicas: limits.replicas ?? 1,
    duplicate_window: nanos(limits.duplicateWindowMs),
  };
  return [
    {
      ...common,
      name: t.streams.commands,
      subjects: [t.subjects.allCommands],
      retention: RetentionPolicy.Workqueue,
    },
    {
      ...common,
      name: t.streams.events,
      subjects: [t.subjects.allEvents],
      retention: RetentionPolicy.Limits,
      max_age: nanos(limits.eventsMaxAgeMs),
      discard: DiscardPolicy.Old,
      // Lets readers fetch the last event on a subject without creating a consumer.
      allow_direct: true,
    },
    {
      ...common,
      name: t.streams.tasks,
      subjects: [t.subjects.allTasks],
      retention: RetentionPolicy.Workqueue,
    },
    {
      ...common,
      name: t.streams.deadLetters,
      subjects: [t.subjects.allDeadLetters],
      retention: RetentionPolicy.Limits,
      max_age: nanos(30 * 24 * 3600_000),
    },
    {
      ...common,
      name: t.streams.keys,
      subjects: [t.subjects.allKeyEvents],
      // Never aged out: a key is valid until it is revoked, however old.
      retention: RetentionPolicy.Limits,
      allow_direct: true,
    },
  ];
}

/** Creates the streams, or updates them to this configuration; safe for every replica to run at once. */
export async function ensureStreams(jsm: JetStreamManager, t: Topology, limits: StreamLimits = DEFAULT_STREAM_LIMITS) {
  for (const config of streamConfigs(t, limits)) {
    const name = config.name as string;
    try {
      await jsm.streams.info(name);
      // Retention cannot change on an existing stream; only update what may change.
      await jsm.streams.update(name, {
        subjects: config.subjects,
        max_age: config.max_age,
        duplicate_window: config.duplicate_window,
      } as Partial<StreamConfig>);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      try {
        await jsm.streams.add(config);
      } catch (addErr) {
        // Another replica created it between our info and add.
        if (!(addErr instanceof JetStreamApiError && addErr.code === 10058)) throw addErr;
      }
    }
  }
}

export type DurableSpec = {
  stream: string;
  durable: string;
  filterSubject: string;
  /** How long a delivered message may stay unacked before it is redelivered, ms. */
  ackWaitMs: number;
  maxDeliver: number;
  maxAckPending: number;
  deliverPolicy?: DeliverPolicy;
  /** With DeliverPolicy.StartSequence: the first stream sequence a new durable delivers. */
  optStartSeq?: number;
};

/** Creates or updates a durable pull consumer. */
export async function ensureDurable(jsm: JetStreamManager, spec: DurableSpec): Promise<void> {
  const config: Partial<ConsumerConfig> = {
    durable_name: spec.durable,
    ack_policy: AckPolicy.Explicit,
    filter_subject: spec.filterSubject,
    ack_wait: nanos(spec.ackWaitMs),
    max_deliver: spec.maxDeliver,
    max_ack_pending: spec.maxAckPending,
    deliver_policy: spec.deliverPolicy ?? DeliverPolicy.All,
    ...(spec.optStartSeq !== undefined ? { opt_start_seq: spec.optStartSeq } : {}),
  };
  try {
    await jsm.consumers.info(spec.stream, spec.durable);
    await jsm.consumers.update(spec.stream, spec.durable, {
      ack_wait: config.ack_wait,
      max_deliver: config.max_deliver,
      max_ack_pending: config.max_ack_pending,
    });
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await jsm.consumers.add(spec.stream, config);
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && (err.code === 10059 || err.code === 10014 || err.status === 404);
}

export async function jetStreamClients(nc: NatsConnection): Promise<{ js: JetStreamClient; jsm: JetStreamManager }> {
  return { js: jetstream(nc), jsm: await jetstreamManager(nc) };
}

export { AckPolicy, DeliverPolicy, nanos };
