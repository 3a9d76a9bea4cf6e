// Test helpers over real NATS and Postgres: publish event histories, and read back whole
// read-model tables in a stable order to compare projections.
import type { ChorusEvent, Topology } from "@chorus/contracts";
import { READ_MODEL_SCHEMA, publishEvent, sql, type DatabasePool, type JetStreamClient } from "@chorus/platform";
import { table } from "./store/index.ts";

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
