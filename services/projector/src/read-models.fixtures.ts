// Test helpers over real NATS and Postgres: the live projector with quick retries, publish
// event histories, and read back whole read-model tables in a stable order to compare projections.
import type { ChorusEvent, Topology } from "@chorus/contracts";
import { READ_MODEL_SCHEMA, publishEvent, sql, type DatabasePool, type JetStreamClient } from "@chorus/platform";
import { testLogger, type Isolation } from "@chorus/testing";
import { startProjector, type Projector, type ProjectorDeps } from "./projector.ts";
import { table } from "./store/index.ts";

/** The live projector on the test's NATS and database (unless `overrides` name another pool), stopped at the test's end. */
export async function startTestProjector(env: Isolation, overrides: Partial<ProjectorDeps> = {}): Promise<Projector> {
  const projector = await startProjector({
    js: env.nats.js,
    jsm: env.nats.jsm,
    topology: env.nats.topology,
    pool: env.db.pool,
    logger: testLogger,
    retryDelayMs: () => 50,
    waitForRequestMs: 50,
    ...overrides,
  });
  env.defer(() => projector.stop());
  return projector;
}

/** Publishes events in order, each under its own message id; resolves to their stream sequences. */
export async function publishAll(js: JetStreamClient, t: Topology, events: readonly ChorusEvent[]): Promise<number[]> {
  const seqs: number[] = [];
  for (const event of events) seqs.push((await publishEvent(js, t, event, { msgID: event.id })).seq);
  return seqs;
}

/** Every row of every read-model table, projected_at and recorded_at left out. */
export async function readModelRows(pool: DatabasePool, schema = READ_MODEL_SCHEMA) {
  return {
    requests: await pool.any(sql.unsafe`SELECT * FROM ${table(schema, "requests")} ORDER BY request_id`),
    agent_results: await pool.any(sql.unsafe`SELECT * FROM ${table(schema, "agent_results")} ORDER BY request_id, agent`),
    webhook_attempts: await pool.any(sql.unsafe`SELECT * FROM ${table(schema, "webhook_attempts")} ORDER BY event_id`),
    projected_events: await pool.any(sql.unsafe`SELECT stream_seq, event_id FROM ${table(schema, "projected_events")} ORDER BY stream_seq`),
    projection_failures: await pool.any(
      sql.unsafe`SELECT stream_seq, event_id, request_id, event_type, reason, salvaged FROM ${table(schema, "projection_failures")} ORDER BY stream_seq`,
    ),
  };
}

export async function projectedCount(pool: DatabasePool, schema = READ_MODEL_SCHEMA): Promise<number> {
  return Number(await pool.oneFirst(sql.unsafe`SELECT count(*) FROM ${table(schema, "projected_events")}`));
}
