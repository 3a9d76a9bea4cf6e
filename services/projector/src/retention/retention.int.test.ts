import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { READ_MODEL_SCHEMA, sql } from "@chorus/platform";
import { isolatedPerTest } from "@chorus/testing";
import { TABLE_NAMES, table, type TableName } from "../store/index.ts";
import { pruneReadModels } from "./prune.ts";

const env = isolatedPerTest({ database: true });
const DAY = 24 * 3600_000;
const now = Date.now();
const cutoff = new Date(now - 30 * DAY);

async function insertRequest(ageDays: number, completed: boolean): Promise<string> {
  const id = randomUUID();
  const created = sql.timestamp(new Date(now - ageDays * DAY));
  const t = (name: TableName) => table(READ_MODEL_SCHEMA, name);
  await env.db.pool.query(sql.unsafe`
    INSERT INTO ${t("requests")} (request_id, tenant_id, status, orchestration_mode, agents, text_length, correlation_id, created_at, completed_at, last_event_seq)
    VALUES (${id}, 'default', ${completed ? "completed" : "processing"}, 'parallel', ${sql.array(["sentiment"], "text")}, 40, 'c', ${created}, ${completed ? created : null}, 1)`);
  await env.db.pool.query(sql.unsafe`
    INSERT INTO ${t("agent_results")} (request_id, agent, status, last_event_seq) VALUES (${id}, 'sentiment', 'completed', 1)`);
  await env.db.pool.query(sql.unsafe`
    INSERT INTO ${t("webhook_attempts")} (event_id, request_id, webhook_id, attempt, url, duration_ms, attempted_at, stream_seq)
    VALUES (${randomUUID()}, ${id}, 'w', 1, 'https://example.test/hook', 5, ${created}, 1)`);
  await env.db.pool.query(sql.unsafe`
    INSERT INTO ${t("projected_events")} (stream_seq, event_id, projected_at) VALUES (${Math.floor(Math.random() * 1e9)}, ${randomUUID()}, ${created})`);
  await env.db.pool.query(sql.unsafe`
    INSERT INTO ${t("projection_failures")} (stream_seq, event_id, request_id, event_type, reason, salvaged, recorded_at)
    VALUES (${Math.floor(Math.random() * 1e9)}, ${randomUUID()}, ${id}, 'AgentCompleted', 'refused', true, ${created})`);
  return id;
}

async function count(name: TableName): Promise<number> {
  return Number(await env.db.pool.oneFirst(sql.unsafe`SELECT count(*) FROM ${table(READ_MODEL_SCHEMA, name)}`));
}

describe("pruning the read models", () => {
  it("deletes requests, their agent results, webhook attempts, recorded failures and ledger rows older than the cut-off and keeps newer ones", async () => {
    const old = await insertRequest(45, true);
    const abandoned = await insertRequest(60, false);
    const recent = await insertRequest(2, true);

    const deleted = await pruneReadModels(env.db.pool, READ_MODEL_SCHEMA, cutoff);

    expect(deleted).toEqual({ requests: 2, agent_results: 2, webhook_attempts: 2, projected_events: 2, projection_failures: 2 });
    const left = await env.db.pool.anyFirst(sql.unsafe`SELECT request_id FROM ${table(READ_MODEL_SCHEMA, "agent_results")}`);
    expect(left).toEqual([recent]);
    expect(left).not.toContain(old);
    expect(left).not.toContain(abandoned);
    for (const name of TABLE_NAMES) expect(await count(name), name).toBe(1);
  });

  it("deletes nothing when every row is newer than the cut-off, and a second run finds nothing", async () => {
    await insertRequest(1, true);
    expect(await pruneReadModels(env.db.pool, READ_MODEL_SCHEMA, cutoff)).toEqual({ requests: 0, agent_results: 0, webhook_attempts: 0, projected_events: 0, projection_failures: 0 });
    expect(await count("requests")).toBe(1);
  });
});
