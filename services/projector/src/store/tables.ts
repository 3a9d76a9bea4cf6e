// The read-model tables, always named through a schema passed in, so the same code
// writes the live schema or a rebuild's staging schema.
import { sql, type DatabasePool } from "@chorus/platform";

/** A transaction (or pool connection) to run statements on. */
export type Queryable = Parameters<Parameters<DatabasePool["transaction"]>[0]>[0];

export const TABLE_NAMES = ["requests", "agent_results", "webhook_attempts", "projected_events", "projection_failures"] as const;
export type TableName = (typeof TABLE_NAMES)[number];

export function table(schema: string, name: TableName) {
  return sql.identifier([schema, name]);
}
