// Applies the SQL migrations in /migrations with node-pg-migrate. The read models live
// in their own schema so a rebuild can stage new tables beside them and swap.
import { fileURLToPath } from "node:url";
import { runner } from "node-pg-migrate";
import pRetry from "p-retry";
import type { Logger } from "./logger.ts";

export const READ_MODEL_SCHEMA = "read_model";
export const MIGRATIONS_DIR = fileURLToPath(new URL("../../../migrations", import.meta.url));

export async function migrateReadModels(
  databaseUrl: string,
  options: { schema?: string; logger?: Logger; direction?: "up" | "down" } = {},
): Promise<string[]> {
  const schema = options.schema ?? READ_MODEL_SCHEMA;
  // Migrations run while the projector works (a rolling deploy): a grant over every table may
  // meet its row locks in another order, and Postgres ends one side with a deadlock. A failed
  // migration has rolled back, so running them again is safe.
  const ran = await pRetry(() => runMigrations(databaseUrl, schema, options), {
    retries: 4,
    minTimeout: 100,
    shouldRetry: ({ error }) => isLockConflict(error),
    onFailedAttempt: ({ error }) => options.logger?.warn({ err: error }, "migrations met a lock conflict with a live service; running them again"),
  });
  return ran.map((m) => m.name);
}

/** A deadlock or a serialization failure: the transaction was ended for another's sake and may simply run again. */
export function isLockConflict(err: unknown): boolean {
  const code = typeof err === "object" && err !== null ? (err as { code?: unknown }).code : undefined;
  return code === "40P01" || code === "40001";
}

function runMigrations(databaseUrl: string, schema: string, options: { logger?: Logger; direction?: "up" | "down" }) {
  return runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: options.direction ?? "up",
    migrationsTable: "pgmigrations",
    schema,
    createSchema: true,
    migrationsSchema: schema,
    createMigrationsSchema: true,
    checkOrder: true,
    // Migrations log through our logger, not to stdout.
    log: (msg: string) => options.logger?.debug({ migration_log: msg }, "migrate"),
    verbose: false,
  });
}

/** Creates the database named in the URL if it does not exist (`npm start` on a new machine). */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const pg = await import("pg");
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (!name) return false;
  url.pathname = "/postgres";
  const client = new pg.default.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount) return false;
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    return true;
  } catch (err) {
    // Another process created it at the same moment.
    if ((err as { code?: string }).code === "42P04") return false;
    throw err;
  } finally {
    await client.end();
  }
}
