// Rebuilding the read models from the stream and swapping them in under a running projector.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { READ_MODEL_SCHEMA, sql } from "@chorus/platform";
import { eventually, isolatedDatabase, isolatedPerTest, testLogger, type IsolatedDatabase } from "@chorus/testing";
import { storyEvents, type Story } from "../stories.fixtures.ts";
import { projectedCount, publishAll, readModelRows, startTestProjector } from "../read-models.fixtures.ts";
import { rebuildReadModels, RebuildInProgressError } from "./index.ts";

const env = isolatedPerTest({ nats: true, database: true });

function runProjector(pool = env.db.pool) {
  return startTestProjector(env, { pool });
}

function rebuild(target: IsolatedDatabase = env.db, batchSize?: number, retentionDays?: number) {
  return rebuildReadModels({ js: env.nats.js, jsm: env.nats.jsm, topology: env.nats.topology, pool: target.pool, databaseUrl: target.url, logger: testLogger, batchSize, retentionDays });
}

function history(n: number): Story[] {
  const kinds: Omit<Story, "requestId">[] = [
    { agents: ["summarizer", "sentiment", "entity_extractor"], webhook: "delivered-on-retry" },
    { agents: ["summarizer", "sentiment", "entity_extractor"], failing: ["entity_extractor"], webhook: "exhausted", mode: "sequential" },
    { agents: ["sentiment"], failing: ["sentiment"] },
    { agents: ["summarizer", "entity_extractor"], stopAfterOutcomes: 1 },
    // Quick runs record no AgentStarted: their starts come back from the outcomes alone.
    { agents: ["summarizer", "sentiment", "entity_extractor"], quick: ["summarizer", "sentiment"] },
  ];
  return Array.from({ length: n }, (_, i) => ({ requestId: randomUUID(), ...(kinds[i % kinds.length] as Omit<Story, "requestId">) }));
}

async function schemas(): Promise<string[]> {
  return [...(await env.db.pool.anyFirst(sql.type(z.object({ nspname: z.string() }))`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'read_model%' ORDER BY nspname`))];
}

describe("rebuilding the read models", () => {
  it("brings back no request older than the read models' retention, which the daily prune would have deleted", async () => {
    const DAY = 24 * 3600_000;
    const old = { requestId: randomUUID(), agents: ["sentiment" as const], startAt: Date.now() - 40 * DAY };
    const recent = { requestId: randomUUID(), agents: ["sentiment" as const], startAt: Date.now() - 2 * DAY };
    await publishAll(env.nats.js, env.nats.topology, [...storyEvents(old), ...storyEvents(recent)]);

    const result = await rebuild(env.db, undefined, 30);
    expect(result.expired).toBe(1);
    const ids = await env.db.pool.anyFirst(sql.type(z.object({ request_id: z.string() }))`SELECT request_id FROM read_model.requests`);
    expect([...ids]).toEqual([recent.requestId]);
    // Without a retention every request the stream holds comes back.
    expect((await rebuild(env.db)).expired).toBe(0);
    expect(await env.db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`SELECT count(*)::int AS n FROM read_model.requests`)).toBe(2);
  });

  it("yields exactly the rows of the live projection, and the live projector keeps working after the swap", async () => {
    const events = history(8).flatMap((s) => storyEvents(s));
    await publishAll(env.nats.js, env.nats.topology, events);
    await runProjector();
    await eventually(async () => ((await projectedCount(env.db.pool)) === events.length ? true : undefined));
    const live = await readModelRows(env.db.pool);

    // A small batch size makes the replay span many transactions.
    const result = await rebuild(env.db, 7);
    expect(result).toMatchObject({ events: events.length, caughtUp: 0, skipped: 0, lastSeq: events.length });
    expect(await readModelRows(env.db.pool)).toEqual(live);
    expect(await schemas()).toEqual([READ_MODEL_SCHEMA]);

    const later = storyEvents({ requestId: randomUUID(), agents: ["sentiment"] });
    await publishAll(env.nats.js, env.nats.topology, later);
    await eventually(async () => ((await projectedCount(env.db.pool)) === events.length + later.length ? true : undefined));
    const row = await env.db.pool.one(sql.unsafe`SELECT status FROM read_model.requests WHERE request_id = ${later[0]?.request_id ?? ""}`);
    expect(row).toEqual({ status: "completed" });
  });

  it("loses no event that arrives while it replays and swaps", async () => {
    const first = history(6).flatMap((s) => storyEvents(s));
    await publishAll(env.nats.js, env.nats.topology, first);
    await runProjector();
    // Keep publishing, one request at a time, for as long as the rebuild runs.
    let rebuilding = true;
    let published = 0;
    const publishing = (async () => {
      for (let stories = 0; (rebuilding && stories < 60) || stories < 3; stories++) {
        const [story] = history(1) as [Story];
        published += (await publishAll(env.nats.js, env.nats.topology, storyEvents(story))).length;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const result = await rebuild(env.db, 20).finally(() => (rebuilding = false));
    await publishing;
    const total = first.length + published;
    expect(result.events).toBeGreaterThanOrEqual(first.length);
    expect(result.events).toBeLessThanOrEqual(total);
    await eventually(async () => ((await projectedCount(env.db.pool)) === total ? true : undefined));
    const afterLive = await readModelRows(env.db.pool);

    // A second rebuild, with nothing arriving, is the reference: every event, in stream order.
    expect((await rebuild(env.db)).events).toBe(total);
    expect(await readModelRows(env.db.pool)).toEqual(afterLive);
  });

  it("creates the read models in a database that has none yet", async () => {
    const bare = await isolatedDatabase({ migrate: false });
    env.defer(() => bare.cleanup());
    const events = history(2).flatMap((s) => storyEvents(s));
    await publishAll(env.nats.js, env.nats.topology, events);
    const result = await rebuild(bare);
    expect(result.events).toBe(events.length);
    expect((await readModelRows(bare.pool)).requests).toHaveLength(2);
  });

  it("refuses to start while another rebuild holds the rebuild lock, leaving the read models as they were", async () => {
    const events = history(1).flatMap((s) => storyEvents(s));
    await publishAll(env.nats.js, env.nats.topology, events);
    await env.db.pool.connect(async (other) => {
      await other.query(sql.unsafe`SELECT pg_advisory_lock(hashtext(${`chorus.projector.rebuild:${READ_MODEL_SCHEMA}`}))`);
      await expect(rebuild()).rejects.toBeInstanceOf(RebuildInProgressError);
      await other.query(sql.unsafe`SELECT pg_advisory_unlock_all()`);
    });
    expect(await projectedCount(env.db.pool)).toBe(0);
    expect(await schemas()).toEqual([READ_MODEL_SCHEMA]);
  });
});
