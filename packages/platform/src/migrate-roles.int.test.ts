// The roles migration run as a deployment runs it: by an owner that is not a superuser
// (CREATEROLE, owning its database), not by the test cluster's superuser. Its grants work
// for the login users a deployment puts in the roles, and its down takes them back.
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import pg from "pg";
import { DATABASE_URL, databaseUserIn, isolatedDatabase, uniqueName, type IsolatedDatabase } from "@chorus/testing";
import { sql } from "./db.ts";
import { migrateReadModels } from "./migrate.ts";

const INSUFFICIENT_PRIVILEGE = "42501";
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function admin(statement: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    return await client.query(statement);
  } finally {
    await client.end();
  }
}

/** An empty database owned by a new LOGIN CREATEROLE role that is not a superuser; the URL logs in as that owner. */
async function databaseOwnedByNonSuperuser(): Promise<{ db: IsolatedDatabase; ownerUrl: string; owner: string }> {
  const owner = uniqueName("chorus_owner");
  const password = randomBytes(16).toString("hex");
  await admin(`CREATE ROLE ${owner} LOGIN CREATEROLE PASSWORD '${password}'`);
  cleanups.push(() => admin(`DROP ROLE IF EXISTS ${owner}`));
  const db = await isolatedDatabase({ migrate: false });
  cleanups.push(() => db.cleanup());
  const name = new URL(db.url).pathname.slice(1);
  await admin(`ALTER DATABASE ${name} OWNER TO ${owner}`);
  const u = new URL(db.url);
  u.username = owner;
  u.password = password;
  return { db, ownerUrl: u.toString(), owner };
}

describe("the roles migration run by a non-superuser owner", () => {
  it("grants the reader reads and the writer row writes on the tables it owns, and its down takes them back", async () => {
    const { db, ownerUrl, owner } = await databaseOwnedByNonSuperuser();
    expect(await migrateReadModels(ownerUrl)).toContain("1796600000000_roles");
    const reader = await databaseUserIn(db, "chorus_reader");
    cleanups.push(() => reader.cleanup());
    const writer = await databaseUserIn(db, "chorus_writer");
    cleanups.push(() => writer.cleanup());
    expect(await reader.pool.anyFirst(sql.unsafe`SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'read_model'`)).toEqual([owner]);

    const insert = "INSERT INTO read_model.projected_events (stream_seq, event_id) VALUES (1, gen_random_uuid())";
    expect(await reader.sqlStateOf("SELECT count(*) FROM read_model.requests")).toBeNull();
    expect(await reader.sqlStateOf(insert)).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await writer.sqlStateOf(insert)).toBeNull();
    expect(await writer.sqlStateOf("CREATE TABLE read_model.intruder (id int)")).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await writer.sqlStateOf("CREATE TABLE public.intruder (id int)")).toBe(INSUFFICIENT_PRIVILEGE);

    // Down one at a time, newest first, until the roles migration is undone (later ones come off before it).
    const undone: string[] = [];
    for (let step = 0; step < 10 && !undone.includes("1796600000000_roles"); step++) undone.push(...(await migrateReadModels(ownerUrl, { direction: "down" })));
    expect(undone.at(-1)).toBe("1796600000000_roles");
    expect(await reader.sqlStateOf("SELECT count(*) FROM read_model.requests")).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await writer.sqlStateOf(insert)).toBe(INSUFFICIENT_PRIVILEGE);

    expect(await migrateReadModels(ownerUrl)).toEqual([...undone].reverse());
    expect(await writer.sqlStateOf(insert)).toBeNull();
  });
});
