// Deletes read-model rows and webhook logs older than the cut-off, in one transaction:
// ended or abandoned requests with their agent results, webhook attempts, recorded
// projection failures, and the projected-event ledger (its events are long acknowledged
// and are not redelivered).
import { z } from "zod";
import { sql, type DatabasePool } from "@chorus/platform";
import { table, type Queryable } from "../store/index.ts";

const RequestIdRow = z.object({ request_id: z.string() });

export type PruneCounts = { requests: number; agent_results: number; webhook_attempts: number; projected_events: number; projection_failures: number };

export async function pruneReadModels(pool: DatabasePool, schema: string, cutoff: Date): Promise<PruneCounts> {
  return pool.transaction((tx) => pruneReadModelsIn(tx, schema, cutoff));
}

/** The same prune inside a transaction the caller holds (a rebuild prunes its staging schema before the swap). */
export async function pruneReadModelsIn(tx: Queryable, schema: string, cutoff: Date): Promise<PruneCounts> {
  const before = sql.timestamp(cutoff);
  const gone = await tx.anyFirst(
    sql.type(RequestIdRow)`DELETE FROM ${table(schema, "requests")} WHERE COALESCE(completed_at, created_at) < ${before} RETURNING request_id`,
  );
  const results = gone.length
    ? await tx.query(sql.unsafe`DELETE FROM ${table(schema, "agent_results")} WHERE request_id = ANY(${sql.array(gone, "uuid")})`)
    : { rowCount: 0 };
  const attempts = await tx.query(sql.unsafe`DELETE FROM ${table(schema, "webhook_attempts")} WHERE attempted_at < ${before}`);
  const ledger = await tx.query(sql.unsafe`DELETE FROM ${table(schema, "projected_events")} WHERE projected_at < ${before}`);
  const failures = await tx.query(sql.unsafe`DELETE FROM ${table(schema, "projection_failures")} WHERE recorded_at < ${before}`);
  return { requests: gone.length, agent_results: results.rowCount, webhook_attempts: attempts.rowCount, projected_events: ledger.rowCount, projection_failures: failures.rowCount };
}
