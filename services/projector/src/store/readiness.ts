// Whether the read-model tables exist: the projector does not migrate (npm run migrate
// does), so a missing table is a deployment mistake that readiness names plainly.
import { z } from "zod";
import { sql, type DatabasePool } from "@chorus/platform";
import { TABLE_NAMES } from "./tables.ts";

export async function missingTables(pool: DatabasePool, schema: string): Promise<string[]> {
  const present = await pool.anyFirst(sql.type(z.object({ table_name: z.string() }))`
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = ${schema} AND table_name = ANY(${sql.array([...TABLE_NAMES], "text")})`);
  return TABLE_NAMES.filter((t) => !present.includes(t));
}

/** A readiness check: fails with the names of missing tables and what to run. */
export function tablesCheck(pool: DatabasePool, schema: string) {
  return async () => {
    const missing = await missingTables(pool, schema);
    if (missing.length > 0) throw new Error(`read-model tables missing in schema "${schema}": ${missing.join(", ")}; run \`npm run migrate\``);
  };
}
