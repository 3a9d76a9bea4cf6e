// Writes the rows a projection produced. requests and agent_results rows are whole
// rows computed under the request's lock, so an upsert simply replaces them.
import { sql } from "@chorus/platform";
import type { RowChange } from "../projection/index.ts";
import { table, type Queryable, type TableName } from "./tables.ts";

type Value = Parameters<typeof sql.join>[0][number];

const KEYS: Record<Exclude<TableName, "projected_events">, string[]> = {
  requests: ["request_id"],
  agent_results: ["request_id", "agent"],
  webhook_attempts: ["event_id"],
};

function encode(column: string, value: unknown): Value {
  if (value === null || value === undefined) return null;
  if (column === "agents") return sql.array(value as string[], "text");
  if (column === "output") return sql.jsonb(value as Parameters<typeof sql.jsonb>[0]);
  return value as string | number;
}

export async function writeChange(db: Queryable, schema: string, change: RowChange): Promise<void> {
  const columns = Object.keys(change.row);
  const values = Object.entries(change.row).map(([column, value]) => encode(column, value));
  const keys = KEYS[change.table];
  const names = sql.join(columns.map((c) => sql.identifier([c])), sql.fragment`, `);
  const insert = sql.fragment`INSERT INTO ${table(schema, change.table)} (${names}) VALUES (${sql.join(values, sql.fragment`, `)})
    ON CONFLICT (${sql.join(keys.map((k) => sql.identifier([k])), sql.fragment`, `)})`;
  if (change.table === "webhook_attempts") {
    // An attempt is a fact recorded once; its event id is its key.
    await db.query(sql.unsafe`${insert} DO NOTHING`);
    return;
  }
  const updates = columns.filter((c) => !keys.includes(c)).map((c) => sql.fragment`${sql.identifier([c])} = EXCLUDED.${sql.identifier([c])}`);
  await db.query(sql.unsafe`${insert} DO UPDATE SET ${sql.join(updates, sql.fragment`, `)}`);
}
