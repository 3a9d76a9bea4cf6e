// Writes the rows a projection produced. requests and agent_results rows are whole
// rows computed under their requests' locks, so an upsert simply replaces them (all but
// requests.projection_error, which only a recorded failure sets: see failures.ts).
import { sql } from "@chorus/platform";
import type { RowChange } from "../projection/index.ts";
import { table, type Queryable, type TableName } from "./tables.ts";

type Value = Parameters<typeof sql.join>[0][number];

const KEYS: Record<Exclude<TableName, "projected_events" | "projection_failures">, string[]> = {
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

/** Rows per statement: far below Postgres's 65,535 parameters at 17 columns. */
const ROWS_PER_STATEMENT = 500;

/**
 * Writes changes with one statement per table (and column set): an upsert for requests and
 * agent_results, an insert of new facts for webhook_attempts. At most one change per row:
 * an upsert cannot touch the same row twice (see projectBatch, which keeps the last).
 */
export async function writeChanges(db: Queryable, schema: string, changes: readonly RowChange[]): Promise<void> {
  const groups = new Map<string, RowWrite[]>();
  const erased: string[] = [];
  for (const change of changes) {
    if (change.table === "erasure") {
      erased.push(change.request_id);
      continue;
    }
    const key = `${change.table}(${Object.keys(change.row).join(",")})`;
    groups.set(key, [...(groups.get(key) ?? []), change]);
  }
  for (const group of groups.values()) {
    for (let i = 0; i < group.length; i += ROWS_PER_STATEMENT) await writeRows(db, schema, group.slice(i, i + ROWS_PER_STATEMENT));
  }
  // Last, so rows of the same batch projected before the erasure go too. A failure's
  // reason may quote the event's data (Postgres's DETAIL), so failures go with the rest.
  if (erased.length > 0) {
    const ids = sql.array(erased, "uuid");
    for (const name of ["agent_results", "webhook_attempts", "projection_failures"] as const) {
      await db.query(sql.unsafe`DELETE FROM ${table(schema, name)} WHERE request_id = ANY(${ids})`);
    }
  }
}

type RowWrite = Exclude<RowChange, { table: "erasure" }>;

/** Rows of one table with the same columns, in one statement. */
async function writeRows(db: Queryable, schema: string, changes: readonly RowWrite[]): Promise<void> {
  const first = changes[0];
  if (!first) return;
  const columns = Object.keys(first.row);
  const keys = KEYS[first.table];
  const names = sql.join(columns.map((c) => sql.identifier([c])), sql.fragment`, `);
  const tuples = changes.map((change) => {
    const row = change.row as Record<string, unknown>;
    return sql.fragment`(${sql.join(columns.map((column) => encode(column, row[column])), sql.fragment`, `)})`;
  });
  const insert = sql.fragment`INSERT INTO ${table(schema, first.table)} (${names}) VALUES ${sql.join(tuples, sql.fragment`, `)}
    ON CONFLICT (${sql.join(keys.map((k) => sql.identifier([k])), sql.fragment`, `)})`;
  if (first.table === "webhook_attempts") {
    // An attempt is a fact recorded once; its event id is its key.
    await db.query(sql.unsafe`${insert} DO NOTHING`);
    return;
  }
  const updates = columns.filter((c) => !keys.includes(c)).map((c) => sql.fragment`${sql.identifier([c])} = EXCLUDED.${sql.identifier([c])}`);
  await db.query(sql.unsafe`${insert} DO UPDATE SET ${sql.join(updates, sql.fragment`, `)}`);
}
