// The gateway's database role (chorus_reader, granted by the migrations): the gateway's
// own reads answer on it, and no write, row lock or schema change goes through, on any
// read-model table, including ones later migrations add.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { READ_MODEL_SCHEMA, sql } from "@chorus/platform";
import { databaseUserIn, isolatedPerFile, type DatabaseUser } from "@chorus/testing";
import { databaseLink } from "./link.ts";
import { findRequest, listRequests } from "../results/queries.ts";
import { webhookAttemptsOf } from "../webhooks/queries.ts";

const INSUFFICIENT_PRIVILEGE = "42501";
const env = isolatedPerFile({ database: true });
let reader: DatabaseUser;
let tables: { name: string; column: string }[];
const requestId = randomUUID();

beforeAll(async () => {
  reader = await databaseUserIn(env.db, "chorus_reader");
  env.defer(() => reader.cleanup());
  // Every table the migrations made but the runner's own, each with a column to update.
  tables = [
    ...(await env.db.pool.any(sql.type(z.object({ name: z.string(), column: z.string() }))`
      SELECT table_name AS name, min(column_name) AS column FROM information_schema.columns
      WHERE table_schema = ${READ_MODEL_SCHEMA} AND table_name <> 'pgmigrations'
      GROUP BY table_name ORDER BY table_name`)),
  ];
  // Rows as the projector would have written them (here as the owner).
  const rm = (name: string) => sql.identifier([READ_MODEL_SCHEMA, name]);
  await env.db.pool.query(sql.unsafe`
    INSERT INTO ${rm("requests")} (request_id, tenant_id, status, orchestration_mode, agents, text_length, correlation_id,
      webhook_url, webhook_status, webhook_attempts, created_at, completed_at, last_event_seq)
    VALUES (${requestId}, 'acme', 'completed', 'parallel', ${sql.array(["sentiment"], "text")}, 42, 'corr',
      'https://receiver.example/hook', 'delivered', 1, '2026-11-24T10:00:00.000Z', '2026-11-24T10:00:00.300Z', 3)`);
  await env.db.pool.query(sql.unsafe`
    INSERT INTO ${rm("agent_results")} (request_id, agent, status, provider, model, duration_ms, output, last_event_seq)
    VALUES (${requestId}, 'sentiment', 'completed', 'local', 'wink', 4, ${sql.jsonb({ label: "positive", score: 0.6, confidence: 0.8 })}, 3)`);
  await env.db.pool.query(sql.unsafe`
    INSERT INTO ${rm("webhook_attempts")} (event_id, request_id, webhook_id, attempt, url, status_code, duration_ms, attempted_at, stream_seq)
    VALUES (${randomUUID()}, ${requestId}, 'wh_1', 1, 'https://receiver.example/hook', 200, 12, '2026-11-24T10:00:01.000Z', 4)`);
});

describe("the gateway's database role", () => {
  it("answers the gateway's reads: a request, a tenant's list, webhook logs, the health check", async () => {
    const db = databaseLink(reader.pool);
    expect(await findRequest(db, "acme", requestId)).toMatchObject({
      request_id: requestId,
      status: "completed",
      results: { sentiment: { status: "completed", provider: "local", output: { label: "positive" } } },
      webhook: { status: "delivered", attempts: 1 },
    });
    expect(await findRequest(db, "someone-else", requestId)).toBeUndefined();
    const page = await listRequests(db, { tenantId: "acme", limit: 10, offset: 0 });
    expect(page.total).toBe(1);
    expect(page.items.map((v) => v.request_id)).toEqual([requestId]);
    expect(await webhookAttemptsOf(db, "acme", requestId)).toMatchObject({ known: true, attempts: [{ attempt: 1, status_code: 200 }] });
    expect(await reader.pool.oneFirst(sql.unsafe`SELECT 1`)).toBe(1);
  });

  it("reads every read-model table and writes none: no insert, update, delete, truncate or row lock", async () => {
    expect(tables.map((t) => t.name)).toEqual(["agent_results", "projected_events", "projection_failures", "requests", "webhook_attempts"]);
    for (const { name, column } of tables) {
      const t = `${READ_MODEL_SCHEMA}.${name}`;
      expect(await reader.sqlStateOf(`SELECT count(*) FROM ${t}`), `select ${name}`).toBeNull();
      // Privileges are checked before a single row is looked at: a write of no rows is refused too.
      expect(await reader.sqlStateOf(`INSERT INTO ${t} SELECT * FROM ${t} WHERE false`), `insert ${name}`).toBe(INSUFFICIENT_PRIVILEGE);
      expect(await reader.sqlStateOf(`UPDATE ${t} SET ${column} = ${column}`), `update ${name}`).toBe(INSUFFICIENT_PRIVILEGE);
      expect(await reader.sqlStateOf(`DELETE FROM ${t}`), `delete ${name}`).toBe(INSUFFICIENT_PRIVILEGE);
      expect(await reader.sqlStateOf(`TRUNCATE ${t}`), `truncate ${name}`).toBe(INSUFFICIENT_PRIVILEGE);
      expect(await reader.sqlStateOf(`SELECT 1 FROM ${t} FOR UPDATE`), `lock rows of ${name}`).toBe(INSUFFICIENT_PRIVILEGE);
    }
    // The rows are still there, as the owner sees them.
    expect(await env.db.pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM read_model.requests`)).toBe(1);
  });

  it("changes no schema and does not see the migrations' own table", async () => {
    for (const statement of [
      "CREATE TABLE read_model.intruder (id int)",
      "ALTER TABLE read_model.requests ADD COLUMN intruder text",
      "DROP TABLE read_model.requests",
      "CREATE TABLE public.intruder (id int)",
      "CREATE SCHEMA intruder",
      "SELECT * FROM read_model.pgmigrations",
    ]) {
      expect(await reader.sqlStateOf(statement), statement).toBe(INSUFFICIENT_PRIVILEGE);
    }
  });
});
