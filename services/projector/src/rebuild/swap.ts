// The swap at the end of a rebuild, in the caller's transaction: hold the live tables
// against writes (the live projector waits), let the caller catch the staging schema
// up, then rename staging into place and drop the old schema.
import { z } from "zod";
import { sql } from "@chorus/platform";
import { TABLE_NAMES, table, type Queryable } from "../store/index.ts";

export type SchemaNames = { live: string; staging: string; old: string };

export async function swapSchemas(tx: Queryable, names: SchemaNames, catchUp: () => Promise<void>): Promise<void> {
  const liveExists = await tx.oneFirst(sql.type(z.object({ exists: z.boolean() }))`SELECT to_regnamespace(${names.live}) IS NOT NULL AS exists`);
  if (liveExists) {
    const present = await tx.anyFirst(sql.type(z.object({ table_name: z.string() }))`
      SELECT table_name FROM information_schema.tables WHERE table_schema = ${names.live}`);
    // projected_events first: every live transaction writes it before any other table, so
    // no live transaction can hold one table while waiting for us on another.
    for (const name of TABLE_NAMES.filter((n) => present.includes(n)).sort((a, b) => Number(b === "projected_events") - Number(a === "projected_events"))) {
      await tx.query(sql.unsafe`LOCK TABLE ${table(names.live, name)} IN EXCLUSIVE MODE`);
    }
  }
  await catchUp();
  if (liveExists) await tx.query(sql.unsafe`ALTER SCHEMA ${sql.identifier([names.live])} RENAME TO ${sql.identifier([names.old])}`);
  await tx.query(sql.unsafe`ALTER SCHEMA ${sql.identifier([names.staging])} RENAME TO ${sql.identifier([names.live])}`);
  if (liveExists) await tx.query(sql.unsafe`DROP SCHEMA ${sql.identifier([names.old])} CASCADE`);
}
