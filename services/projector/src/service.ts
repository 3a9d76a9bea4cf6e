// The projector service: its configuration, then the event consumer writing the read
// models and the daily retention run, once Postgres answers. Migrations are not run here
// (`npm run migrate` does that). As runService takes it (main.ts runs it alone in a
// process; services/run.ts beside other services).
import { READ_MODEL_SCHEMA, createDatabasePoolWhenUp, defineService, sql } from "@chorus/platform";
import { ProjectorConfig } from "./config.ts";
import { startErasureSweep } from "./erasure/index.ts";
import { PROJECTOR_DURABLE, startProjector } from "./projector.ts";
import { missingTables, tablesCheck } from "./store/index.ts";
import { scheduleRetention } from "./retention/index.ts";

export function projectorService(env: Record<string, string | undefined>) {
  return defineService({
    name: "projector",
    config: ProjectorConfig,
    env,
    projectorDurable: PROJECTOR_DURABLE,
    async start({ config, logger, topology, js, jsm, probes, startStep }) {
      probes.starting("connecting to Postgres");
      const pool = await createDatabasePoolWhenUp(config.DATABASE_URL, {
        maximumPoolSize: config.DATABASE_POOL_SIZE,
        onWaiting: (reason) => {
          probes.starting(`waiting for Postgres: ${reason}`);
          logger.warn({ err: reason }, "Postgres is unreachable; retrying");
        },
      });
      const missing = await missingTables(pool, READ_MODEL_SCHEMA).catch(() => []);
      if (missing.length > 0) logger.error({ schema: READ_MODEL_SCHEMA, missing }, "read-model tables are missing: run `npm run migrate`; events wait until then");
      const projector = await startStep("starting the event consumer", () =>
        startProjector({ js, jsm, topology, pool, logger, maxBatch: config.PROJECTOR_BATCH_SIZE, lingerMs: config.PROJECTOR_BATCH_LINGER_MS, maxDataErrorDeliveries: config.PROJECTOR_DATA_ERROR_DELIVERIES }),
      );
      const erasures = await startStep("starting the erasure sweep", () => startErasureSweep({ js, jsm, topology, logger }));
      const retention = scheduleRetention({ pool, schema: READ_MODEL_SCHEMA, days: config.RETENTION_DAYS, hourUtc: config.RETENTION_HOUR_UTC, logger });
      return {
        readiness: {
          postgres: async () => void (await pool.query(sql.unsafe`SELECT 1`)),
          read_models: tablesCheck(pool, READ_MODEL_SCHEMA),
          consumer: () => {
            if (!projector.consumer.isRunning()) throw new Error("not consuming events");
          },
        },
        // Shown, not failed on: a dead-lettered event is recorded, and the rest flows on.
        details: () => ({ dead_letters: projector.deadLetters() }),
        closers: [
          { name: "retention", close: () => retention.stop() },
          { name: "consumer", close: () => projector.stop() },
          { name: "erasure sweep", close: () => erasures.stop() },
        ],
        closeAfterNats: [{ name: "postgres", close: () => pool.end() }],
        summary: { batch_size: config.PROJECTOR_BATCH_SIZE, batch_linger_ms: config.PROJECTOR_BATCH_LINGER_MS, retention_days: config.RETENTION_DAYS },
      };
    },
  });
}
