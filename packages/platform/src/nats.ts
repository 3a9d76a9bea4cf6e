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
import type { NatsAccess } from "./nats-access.ts";
import { coalesceWrites } from "./write-coalescing.ts";

export type { NatsConnection, JetStreamClient, JetStreamManager };

/** What code working on the streams is handed: the JetStream clients, this deployment's subjects and streams, and a logger. */
export type StreamClients = { js: JetStreamClient; jsm: JetStreamManager; topology: Topology; logger: Logger };

export type NatsOptions = {
  url: string;
  name: string;
  logger: Logger;
  /** Credentials, TLS and reply inbox (natsAccess); none for a server that asks for nothing. */
  access?: NatsAccess;
  /** One socket write per event-loop turn (NATS_COALESCE_WRITES; see write-coalescing.ts); on unless false. */
  coalesce?: boolean;
};

/** Connects and keeps reconnecting forever: a broker outage makes a service not ready, never dead. */
export async function connectNats({ url, name, logger, access, coalesce }: NatsOptions): Promise<NatsConnection> {
  const nc = await connect({
    ...access,
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
  // Not the client's own flushing, which writes to the socket at every microtask checkpoint
  // with something queued: under load that was the largest item of each service's CPU.
  if (coalesce !== false && !coalesceWrites(nc)) logger.warn("this NATS client's internals are not the expected ones: its writes are not coalesced");
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === "disconnect" || s.type === "reconnect") logger.warn({ nats_status: s.type }, `nats ${s.type}`);
      // A permissions violation names the subject refused: what to look for in the server's configuration.
      else if (s.type === "error") logger.warn({ nats_status: s.type, error: s.error.message }, "nats error");
    }
  })();
  return nc;
}

export type StreamLimits = {
  /** Max age of events, ms; 0 keeps them forever. */
  eventsMaxAgeMs: number;
  /** Most bytes the event stream may hold; 0 or unset: no limit. At the limit new events are refused, never old ones dropped. */
  eventsMaxBytes?: number;
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
      max_bytes: limits.eventsMaxBytes ? limits.eventsMaxBytes : -1,
      // The system of record: at a size limit a new event is refused (the writer waits, a
      // submission answers 503), rather than the oldest dropped unseen. Age still applies.
      discard: DiscardPolicy.New,
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

/** The settings ensureStreams keeps as configured; the rest (retention, storage) cannot change on an existing stream. */
type StreamSettings = Pick<StreamConfig, "subjects" | "max_age" | "duplicate_window" | "max_bytes" | "discard">;

/** What of `desired` an existing stream's configuration lacks, as an update; undefined when nothing does. */
export function streamChanges(current: Partial<StreamConfig>, desired: Partial<StreamConfig>): Partial<StreamSettings> | undefined {
  const sameSubjects = [...(current.subjects ?? [])].sort().join(" ") === [...(desired.subjects ?? [])].sort().join(" ");
  // An unset max age is 0 (forever) on the server.
  const sameAge = (current.max_age ?? 0) === (desired.max_age ?? 0);
  const sameWindow = desired.duplicate_window === undefined || current.duplicate_window === desired.duplicate_window;
  // An unset size limit is -1 (none) on the server; streams that do not ask for one keep theirs.
  const sameSize = desired.max_bytes === undefined || (current.max_bytes ?? -1) === desired.max_bytes;
  const sameDiscard = desired.discard === undefined || (current.discard ?? DiscardPolicy.Old) === desired.discard;
  if (sameSubjects && sameAge && sameWindow && sameSize && sameDiscard) return undefined;
  return {
    subjects: desired.subjects,
    max_age: desired.max_age,
    duplicate_window: desired.duplicate_window,
    ...(desired.max_bytes === undefined ? {} : { max_bytes: desired.max_bytes }),
    ...(desired.discard === undefined ? {} : { discard: desired.discard }),
  };
}

/** A stream that does not exist yet and that this process's NATS user may not create: it waits for one that may. */
export class StreamAwaitedError extends Error {
  override name = "StreamAwaitedError";
}

/** True when the server refused a request for this user's permissions (deploy/nats/nats-server.conf). */
export function isPermissionViolation(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e.name === "PermissionViolationError") return true;
  }
  return false;
}

/**
 * Creates the streams, or updates them to this configuration; safe for every replica to run
 * at once. A stream already configured so is left alone. Where the NATS user may not
 * manage streams (only the orchestrator's may, in deploy/nats/), a missing stream is
 * waited for (StreamAwaitedError, retried at start-up) and a differing one is left to
 * that user, with a warning.
 */
export async function ensureStreams(jsm: JetStreamManager, t: Topology, limits: StreamLimits = DEFAULT_STREAM_LIMITS, logger?: Logger) {
  for (const config of streamConfigs(t, limits)) {
    const name = config.name;
    let current: Partial<StreamConfig> | undefined;
    try {
      current = (await jsm.streams.info(name)).config;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (current === undefined) {
      await createStream(jsm, config);
      continue;
    }
    const changes = streamChanges(current, config);
    if (!changes) continue;
    try {
      await jsm.streams.update(name, changes);
    } catch (err) {
      if (!isPermissionViolation(err)) throw err;
      logger?.warn({ stream: name }, "stream's subjects or limits differ from this configuration, and this NATS user may not update streams: left as they are");
    }
  }
}

async function createStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  try {
    await jsm.streams.add(config);
  } catch (err) {
    // Another replica created it between our info and add.
    if (err instanceof JetStreamApiError && err.code === 10058) return;
    if (isPermissionViolation(err)) {
      throw new StreamAwaitedError(`stream ${config.name} does not exist yet, and this NATS user may not create it: waiting for one that may (the orchestrator's)`, { cause: err });
    }
    throw err;
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

function consumerConfig(spec: DurableSpec): Partial<ConsumerConfig> {
  return {
    durable_name: spec.durable,
    ack_policy: AckPolicy.Explicit,
    filter_subject: spec.filterSubject,
    ack_wait: nanos(spec.ackWaitMs),
    max_deliver: spec.maxDeliver,
    max_ack_pending: spec.maxAckPending,
    deliver_policy: spec.deliverPolicy ?? DeliverPolicy.All,
    ...(spec.optStartSeq !== undefined ? { opt_start_seq: spec.optStartSeq } : {}),
  };
}

/** Creates or updates a durable pull consumer. */
export async function ensureDurable(jsm: JetStreamManager, spec: DurableSpec): Promise<void> {
  const config = consumerConfig(spec);
  const update = () =>
    jsm.consumers.update(spec.stream, spec.durable, {
      ack_wait: config.ack_wait,
      max_deliver: config.max_deliver,
      max_ack_pending: config.max_ack_pending,
    });
  if (await durableExists(jsm, spec)) {
    await update();
    return;
  }
  // Another service may make the same durable at the same moment (see createDurableIfMissing):
  // whoever's add loses finds it there and applies its own limits.
  const added = await addDurable(jsm, config, spec);
  if (!added) await update();
}

async function durableExists(jsm: JetStreamManager, spec: DurableSpec): Promise<boolean> {
  try {
    await jsm.consumers.info(spec.stream, spec.durable);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/** Adds the durable; false when the add failed because someone else made it meanwhile. */
async function addDurable(jsm: JetStreamManager, config: Partial<ConsumerConfig>, spec: DurableSpec): Promise<boolean> {
  try {
    await jsm.consumers.add(spec.stream, config);
    return true;
  } catch (err) {
    // The add's own error is the one to report if the durable is not there (or cannot be looked up).
    if (await durableExists(jsm, spec).catch(() => false)) return false;
    throw err;
  }
}

/**
 * Creates a durable pull consumer unless one of that name exists, whose configuration is
 * then left as it is: for a durable that its owner configures (see ensureDurable) but
 * that another service must know exists before it stores what the durable delivers.
 */
export async function createDurableIfMissing(jsm: JetStreamManager, spec: DurableSpec): Promise<void> {
  if (await durableExists(jsm, spec)) return;
  // Made meanwhile by its owner (or another replica): its configuration stands.
  await addDurable(jsm, consumerConfig(spec), spec);
}

export function isNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && (err.code === 10059 || err.code === 10014 || err.status === 404);
}

export async function jetStreamClients(nc: NatsConnection): Promise<{ js: JetStreamClient; jsm: JetStreamManager }> {
  return { js: jetstream(nc), jsm: await jetstreamManager(nc) };
}

export { AckPolicy, DeliverPolicy, nanos };
