// Login users in the database roles the migrations grant (chorus_reader for the gateway,
// chorus_writer for the projector), so a test runs a service's real queries with exactly
// the privileges a deployment gives it. Roles are cluster-wide and tests run in parallel
// on one cluster: each user has a name of its own, and cleanup drops it.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createDatabasePool, type DatabasePool } from "@chorus/platform";
import { DATABASE_URL, uniqueName } from "./fixtures.ts";

export type ChorusDatabaseRole = "chorus_reader" | "chorus_writer";

export type DatabaseUser = {
  name: string;
  /** The database's URL with this user's name and password: what the service's DATABASE_URL would be. */
  url: string;
  /** A pool as the service makes it. */
  pool: DatabasePool;
  /** Runs `statement` as this user in a transaction that is rolled back: null when it ran, else the SQLSTATE it failed with. */
  sqlStateOf(statement: string): Promise<string | null>;
  /** Ends the pool and drops the user. */
  cleanup(): Promise<void>;
};

/** A new LOGIN user IN ROLE `role`, with a password (a server that checks passwords checks it). */
export async function databaseUserIn(database: { url: string }, role: ChorusDatabaseRole): Promise<DatabaseUser> {
  const name = uniqueName("chorus_u");
  const password = randomBytes(16).toString("hex");
  await asAdmin((admin) => admin.query(`CREATE ROLE ${name} LOGIN PASSWORD '${password}' IN ROLE ${role}`));
  const u = new URL(database.url);
  u.username = name;
  u.password = password;
  const url = u.toString();
  let pool: DatabasePool | undefined;
  try {
    pool = await createDatabasePool(url, { maximumPoolSize: 3 });
  } catch (err) {
    await asAdmin((admin) => admin.query(`DROP ROLE IF EXISTS ${name}`));
    throw err;
  }
  const made = pool;
  return {
    name,
    url,
    pool: made,
    async sqlStateOf(statement) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query("BEGIN");
        await client.query(statement);
        return null;
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (typeof code !== "string") throw err;
        return code;
      } finally {
        await client.query("ROLLBACK").catch(() => undefined);
        await client.end();
      }
    },
    async cleanup() {
      await made.end();
      await asAdmin((admin) => admin.query(`DROP ROLE IF EXISTS ${name}`));
    },
  };
}

async function asAdmin<T>(run: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  try {
    return await run(admin);
  } finally {
    await admin.end();
  }
}
