// The projector's database role (chorus_writer, granted by the migrations): the live
// projector and the retention prune do all their work on it, and it cannot change the
// schema, which is the owner's (migrations and `npm run projector:rebuild`).
import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { READ_MODEL_SCHEMA, sql } from "@chorus/platform";
import { databaseUserIn, eventually, isolatedPerTest, testLogger, type DatabaseUser } from "@chorus/testing";
import { rebuildReadModels } from "./rebuild/index.ts";
import { pruneReadModels } from "./retention/prune.ts";
import { TABLE_NAMES, table } from "./store/index.ts";
import { storyEvents } from "./stories.fixtures.ts";
import { projectedCount, publishAll, readModelRows, startTestProjector } from "./read-models.fixtures.ts";

const INSUFFICIENT_PRIVILEGE = "42501";
const env = isolatedPerTest({ nats: true, database: true });
let writer: DatabaseUser;

beforeEach(async () => {
  writer = await databaseUserIn(env.db, "chorus_writer");
  env.defer(() => writer.cleanup());
});

/** Requests of every kind, one with an event Postgres refuses (a number beyond its column), which is recorded in projection_failures. */
function history() {
  const refusedId = randomUUID();
  const refused = storyEvents({ requestId: refusedId, agents: ["sentiment"], webhook: "exhausted" }).map((e, i, list) =>
    e.type === "WebhookAttempted" && list.findIndex((a) => a.type === "WebhookAttempted") === i ? { ...e, data: { ...e.data, duration_ms: 3_000_000_000 } } : e,
  );
  return {
    refusedId,
    events: [
      ...storyEvents({ requestId: randomUUID(), agents: ["summarizer", "sentiment", "entity_extractor"], webhook: "delivered-on-retry" }),
      ...storyEvents({ requestId: randomUUID(), agents: ["summarizer", "sentiment"], failing: ["sentiment"], mode: "sequential" }),
      ...storyEvents({ requestId: randomUUID(), agents: ["entity_extractor"], stopAfterOutcomes: 0 }),
      ...refused,
    ],
  };
}

/** The schemas' relations (tables, indexes) and columns, as the owner sees them. */
function schemaShape() {
  return env.db.pool.anyFirst(sql.type(z.object({ item: z.string() }))`
    SELECT n.nspname || '.' || c.relname || coalesce('.' || a.attname, '') AS item
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
    ORDER BY item`);
}

function rebuildAs(pool = env.db.pool, databaseUrl = env.db.url) {
  return rebuildReadModels({ js: env.nats.js, jsm: env.nats.jsm, topology: env.nats.topology, pool, databaseUrl, logger: testLogger });
}

describe("the projector's database role", () => {
  it("projects the stream, refused events recorded, as the owner's rebuild does, and keeps projecting after that rebuild swaps the schema", async () => {
    const { refusedId, events } = history();
    await publishAll(env.nats.js, env.nats.topology, events);
    await startTestProjector(env, { pool: writer.pool, maxDataErrorDeliveries: 2 });
    await eventually(async () => ((await projectedCount(env.db.pool)) === events.length ? true : undefined));
    const projected = await readModelRows(env.db.pool);
    expect(projected.projection_failures).toMatchObject([{ request_id: refusedId, event_type: "WebhookAttempted" }]);

    // The owner's rebuild replays the same stream into a new schema: the same rows.
    expect((await rebuildAs()).events).toBe(events.length);
    expect(await readModelRows(env.db.pool)).toEqual(projected);

    // The swapped-in schema carries the grants: the live projector goes on writing.
    const later = storyEvents({ requestId: randomUUID(), agents: ["sentiment"] });
    await publishAll(env.nats.js, env.nats.topology, later);
    await eventually(async () => ((await projectedCount(env.db.pool)) === events.length + later.length ? true : undefined));
    expect(await env.db.pool.oneFirst(sql.unsafe`SELECT status FROM ${table(READ_MODEL_SCHEMA, "requests")} WHERE request_id = ${later[0]?.request_id ?? ""}`)).toBe("completed");
  });

  it("prunes expired rows as the daily retention run does", async () => {
    const { events } = history();
    await publishAll(env.nats.js, env.nats.topology, events);
    await startTestProjector(env, { pool: writer.pool, maxDataErrorDeliveries: 2 });
    await eventually(async () => ((await projectedCount(env.db.pool)) === events.length ? true : undefined));

    const deleted = await pruneReadModels(writer.pool, READ_MODEL_SCHEMA, new Date("2100-01-01T00:00:00Z"));
    expect(deleted).toMatchObject({ requests: 4, projected_events: events.length, projection_failures: 1 });
    for (const name of TABLE_NAMES) expect(await env.db.pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM ${table(READ_MODEL_SCHEMA, name)}`), name).toBe(0);
  });

  it("cannot alter the schema: no table, column, index, schema or truncate of its own, and not the migrations' table", async () => {
    const before = await schemaShape();
    for (const statement of [
      "CREATE TABLE read_model.intruder (id int)",
      "ALTER TABLE read_model.requests ADD COLUMN intruder text",
      "ALTER TABLE read_model.requests DROP CONSTRAINT requests_pkey",
      "CREATE INDEX intruder ON read_model.requests (text_length)",
      "DROP TABLE read_model.projected_events",
      "TRUNCATE read_model.requests",
      "CREATE FUNCTION read_model.intruder() RETURNS int LANGUAGE sql AS 'SELECT 1'",
      "ALTER SCHEMA read_model RENAME TO intruder",
      "DROP SCHEMA read_model CASCADE",
      "CREATE SCHEMA intruder",
      "CREATE TABLE public.intruder (id int)",
      "SELECT * FROM read_model.pgmigrations",
      "DELETE FROM read_model.pgmigrations",
    ]) {
      expect(await writer.sqlStateOf(statement), statement).toBe(INSUFFICIENT_PRIVILEGE);
    }
    expect(await schemaShape()).toEqual(before);
  });

  it("cannot rebuild the read models, which replaces schemas: the rebuild is refused and the live read models stay as they were", async () => {
    const { events } = history();
    await publishAll(env.nats.js, env.nats.topology, events);
    await startTestProjector(env, { pool: writer.pool, maxDataErrorDeliveries: 2 });
    await eventually(async () => ((await projectedCount(env.db.pool)) === events.length ? true : undefined));
    const before = await readModelRows(env.db.pool);

    await expect(rebuildAs(writer.pool, writer.url)).rejects.toThrow(/permission denied/);
    expect(await readModelRows(env.db.pool)).toEqual(before);
    const schemas = await env.db.pool.anyFirst(sql.type(z.object({ nspname: z.string() }))`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'read_model%'`);
    expect(schemas).toEqual([READ_MODEL_SCHEMA]);
  });
});
