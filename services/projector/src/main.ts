// The projector process: configuration, connections, probes, /metrics, the daily
// retention run and graceful shutdown around startProjector. Migrations are not run here
// (`npm run migrate` does that).
import {
  BaseConfig,
  DatabaseConfig,
  READ_MODEL_SCHEMA,
  bootService,
  createDatabasePool,
  envInt,
  metricsRoutes,
  natsCheck,
  observeConsumerLag,
  onShutdown,
  sql,
  type DatabasePool,
} from "@chorus/platform";
import { PROJECTOR_DURABLE, startProjector, type Projector } from "./projector.ts";
import { missingTables, tablesCheck } from "./store/index.ts";
import { scheduleRetention, type Retention } from "./retention/index.ts";

const ProjectorConfig = BaseConfig.extend(DatabaseConfig.shape).extend({
  PORT: envInt(1, 65_535).default(8083),
  /** Most events applied in one transaction; a batch is whatever arrived while the last was written. */
  PROJECTOR_BATCH_SIZE: envInt(1, 5_000).default(256),
  /** On this delivery an event Postgres still refuses as data (say U+0000 in a string) is recorded and dead-lettered. */
  PROJECTOR_DATA_ERROR_DELIVERIES: envInt(1, 100).default(5),
  /** Read-model rows and webhook logs older than this many days are deleted daily; 0 keeps them. */
  RETENTION_DAYS: envInt(0, 36_500).default(30),
  /** The UTC hour of the daily retention run. */
  RETENTION_HOUR_UTC: envInt(0, 23).default(3),
});

const { config, logger, topology, nc, js, jsm, probes, startStep } = await bootService("projector", ProjectorConfig, process.env);

let pool: DatabasePool | undefined;
let poolError = "connecting";
let projector: Projector | undefined;
let retention: Retention | undefined;
let stopping = false;

observeConsumerLag({ jsm, topology, projectorDurable: PROJECTOR_DURABLE });
const server = probes.serve({
  routes: metricsRoutes(),
  readiness: {
    nats: natsCheck(nc),
    postgres: async () => {
      if (!pool) throw new Error(poolError);
      await pool.query(sql.unsafe`SELECT 1`);
    },
    read_models: async () => {
      if (!pool) throw new Error("no database connection yet");
      await tablesCheck(pool, READ_MODEL_SCHEMA)();
    },
    consumer: () => {
      if (!projector?.consumer.isRunning()) throw new Error("not consuming events");
    },
  },
  // Shown, not failed on: a dead-lettered event is recorded, and the rest flows on.
  details: () => ({ dead_letters: projector?.deadLetters() ?? { count: 0, last: null } }),
});
logger.info({ port: config.PORT }, "probes listening");

onShutdown(
  logger,
  [
    { name: "startup", close: () => void (stopping = true) },
    { name: "retention", close: () => retention?.stop() },
    { name: "consumer", close: () => projector?.stop() },
    { name: "probe server", close: () => new Promise<void>((resolve) => server.close(() => resolve())) },
    { name: "nats", close: () => nc.drain() },
    { name: "postgres", close: () => pool?.end() },
  ],
  config.SHUTDOWN_TIMEOUT_MS,
);

// Creating a pool needs a live server; until then the process is alive but not ready.
while (!pool && !stopping) {
  try {
    pool = await createDatabasePool(config.DATABASE_URL, { maximumPoolSize: config.DATABASE_POOL_SIZE });
  } catch (err) {
    poolError = err instanceof Error ? err.message : String(err);
    logger.warn({ err: poolError }, "Postgres is unreachable; retrying");
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

if (pool && !stopping) {
  const missing = await missingTables(pool, READ_MODEL_SCHEMA).catch(() => []);
  if (missing.length > 0) {
    logger.error({ schema: READ_MODEL_SCHEMA, missing }, "read-model tables are missing: run `npm run migrate`; events wait until then");
  }
  const db = pool; // narrowed, for the closure
  projector = await startStep("starting the event consumer", () => startProjector({ js, jsm, topology, pool: db, logger, maxBatch: config.PROJECTOR_BATCH_SIZE, maxDataErrorDeliveries: config.PROJECTOR_DATA_ERROR_DELIVERIES }));
  retention = scheduleRetention({ pool, schema: READ_MODEL_SCHEMA, days: config.RETENTION_DAYS, hourUtc: config.RETENTION_HOUR_UTC, logger });
}
