// @chorus/platform: what every Chorus process needs around its domain code. The public
// surface, named one by one (as nats.js's mod.ts does): what is not here is internal.

// Running a service or a command: boot, probes, shutdown, crash lines.
export { defineService, runService, type ServiceDefinition, type StartedService } from "./run-service.ts";
export { runServices, servicePrefix, type RunnableService } from "./run-services.ts";
export { runCommand, type CommandContext } from "./run-command.ts";
export { natsCheck, streamLimits, type ServiceContext } from "./service.ts";
export { runChecks, type Checks } from "./probes.ts";
export { stopGrpcServer, type Closer } from "./shutdown.ts";
export { ConfigError } from "./errors.ts";
export { BaseConfig, DatabaseConfig, envBoolean, envInt, loadConfig } from "./config.ts";
export { createLogger, requestLogger, type Logger } from "./logger.ts";
export { sleep } from "./sleep.ts";

// NATS and JetStream: connections, streams, durables.
export {
  AckPolicy,
  DeliverPolicy,
  DEFAULT_STREAM_LIMITS,
  connectNats,
  createDurableIfMissing,
  ensureDurable,
  ensureStreams,
  isNotFound,
  jetStreamClients,
  type DurableSpec,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
  type StreamClients,
} from "./nats.ts";
export { natsAccess, type NatsAccess } from "./nats-access.ts";
export { kvBucketOnFirstUse } from "./kv-bucket.ts";
export {
  REQUEST_ACCEPTS_DURABLE,
  DEFAULT_AGENT_ACCEPTS_LIMITS,
  agentAcceptsDurable,
  agentAcceptsDurableName,
  ensureRequestAcceptsDurable,
  requestAcceptsDurable,
  type AgentAcceptsLimits,
} from "./request-accepts.ts";

// Publishing and consuming.
export { HEADER, isWrongLastSequence, publishEvent, publishValidated } from "./publish.ts";
export { runConsumer, sharedSlots, type SharedSlots } from "./consumer.ts";
export { runBatchConsumer, type BatchItem } from "./batch-consumer.ts";
export { consumersRunning, startConsumerGroup, type ConsumerGroup } from "./consumer-group.ts";
export type { ConsumerHandle, Delivery, HandleResult } from "./delivery.ts";

// Reading one request's facts from the stream.
export { UnreadableEventError, lastRequestEvent, newestWebhookFacts, nextMessageOn, storedPerSubject, type NewestWebhookFacts, type RecordedEvent } from "./request-events.ts";

// Postgres.
export { createDatabasePool, createDatabasePoolWhenUp, sql, type DatabasePool } from "./db.ts";
export { READ_MODEL_SCHEMA, ensureDatabase, migrateReadModels } from "./migrate.ts";

// Telemetry: traces, metrics, the preload's node arguments.
export { startTelemetry, tagRequestRoute, tagRequestSpans } from "./telemetry.ts";
export { llmCallSpan } from "./spans.ts";
export { prometheusMetrics, recordWebhookDeliveryLatency } from "./metrics.ts";
export { endpointGroup } from "./metric-observations.ts";
export { isStoreFull, recentStoreRefusal } from "./store-full.ts";
export { serviceNodeArgs } from "./telemetry-name.ts";
