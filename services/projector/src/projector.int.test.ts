// The live projector against real NATS and Postgres: projection, redelivery, order, missing tables.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import pg from "pg";
import { z } from "zod";
import type { ChorusEvent } from "@chorus/contracts";
import { READ_MODEL_SCHEMA, ensureDurable, migrateReadModels, sql } from "@chorus/platform";
import { eventually, isolatedDatabase, isolatedPerTest, untilQuiet } from "@chorus/testing";
import { PROJECTOR_DURABLE, type Projector, type ProjectorDeps } from "./projector.ts";
import { applyEvent, tablesCheck, table } from "./store/index.ts";
import { shuffled, storyEvents, type Story } from "./stories.fixtures.ts";
import { projectedCount, publishAll, readModelRows, startTestProjector } from "./read-models.fixtures.ts";

const env = isolatedPerTest({ nats: true, database: true });

function runProjector(overrides: Partial<ProjectorDeps> = {}): Promise<Projector> {
  return startTestProjector(env, overrides);
}

function stories(): Story[] {
  return [
    { requestId: randomUUID(), agents: ["summarizer", "sentiment", "entity_extractor"], webhook: "delivered-on-retry" },
    { requestId: randomUUID(), agents: ["summarizer", "sentiment", "entity_extractor"], failing: ["sentiment"], webhook: "exhausted", mode: "sequential" },
    { requestId: randomUUID(), agents: ["entity_extractor"], failing: ["entity_extractor"] },
    { requestId: randomUUID(), agents: ["summarizer", "sentiment"], stopAfterOutcomes: 1 },
    { requestId: randomUUID(), agents: ["summarizer", "sentiment", "entity_extractor"], quick: ["sentiment", "entity_extractor"] },
  ];
}

const where = (id: string) => sql.fragment`WHERE request_id = ${id}`;

describe("the live projector", () => {
  it("projects a realistic history of several requests into the read models", async () => {
    const [delivered, partial, failed, running, quick] = stories() as [Story, Story, Story, Story, Story];
    const events = [delivered, partial, failed, running, quick].flatMap((s) => storyEvents(s));
    const seqs = await publishAll(env.nats.js, env.nats.topology, events);
    const lastSeqOf = (id: string) => Math.max(...seqs.filter((_, i) => events[i]?.request_id === id));
    const projector = await runProjector();
    await eventually(async () => ((await projectedCount(env.db.pool)) === events.length ? true : undefined));

    const requests = env.db.pool;
    const Seq = z.object({ last_event_seq: z.bigint() });
    const R = table(READ_MODEL_SCHEMA, "requests");
    const A = table(READ_MODEL_SCHEMA, "agent_results");
    const W = table(READ_MODEL_SCHEMA, "webhook_attempts");
    const row = (id: string) => requests.one(sql.unsafe`SELECT * FROM ${R} ${where(id)}`);
    expect(await row(delivered.requestId)).toMatchObject({
      status: "completed",
      orchestration_mode: "parallel",
      agents: ["summarizer", "sentiment", "entity_extractor"],
      text_length: 57,
      webhook_url: "https://example.test/hook",
      webhook_status: "delivered",
      webhook_attempts: 2,
      webhook_last_status_code: 200,
    });
    expect(await row(partial.requestId)).toMatchObject({ status: "partial", orchestration_mode: "sequential", webhook_status: "exhausted", webhook_attempts: 2, webhook_last_status_code: null });
    expect(await row(failed.requestId)).toMatchObject({ status: "failed", webhook_url: null, webhook_status: null, webhook_attempts: 0 });
    expect(await row(running.requestId)).toMatchObject({ status: "processing", completed_at: null, duration_ms: null });

    const failedAgent = await requests.one(sql.unsafe`SELECT * FROM ${A} ${where(partial.requestId)} AND agent = 'sentiment'`);
    expect(failedAgent).toMatchObject({ status: "failed", error_code: "timeout", error_message: "sentiment timed out", provider: "local", output: null });
    const summary = await requests.one(sql.unsafe`SELECT * FROM ${A} ${where(delivered.requestId)} AND agent = 'summarizer'`);
    expect(summary).toMatchObject({ status: "completed", output: { summary: "A short summary.", key_points: ["one", "two"] }, total_tokens: 40 });
    expect(await requests.anyFirst(sql.unsafe`SELECT agent FROM ${A} ${where(running.requestId)} ORDER BY agent`)).toEqual(["summarizer"]);
    expect(await requests.anyFirst(sql.unsafe`SELECT status_code FROM ${W} ${where(delivered.requestId)} ORDER BY attempt`)).toEqual([503, 200]);
    // A quick run (no AgentStarted) has its start from its outcome, as a slow one from its AgentStarted.
    const startOf = (e: ChorusEvent | undefined) => (e?.type === "AgentCompleted" ? e.data.started_at : undefined);
    for (const agent of ["sentiment", "summarizer"] as const) {
      const completed = events.find((e) => e.request_id === quick.requestId && e.type === "AgentCompleted" && e.data.agent === agent);
      const stored = await requests.oneFirst(sql.type(z.object({ started_at: z.union([z.number(), z.date()]) }))`SELECT started_at FROM ${A} ${where(quick.requestId)} AND agent = ${agent}`);
      expect(new Date(stored).toISOString(), agent).toBe(startOf(completed));
    }

    // last_event_seq is the newest applied event of the request.
    for (const s of [delivered, partial, failed, running, quick]) {
      expect(Number(await requests.oneFirst(sql.type(Seq)`SELECT last_event_seq FROM ${R} ${where(s.requestId)}`))).toBe(lastSeqOf(s.requestId));
    }
    expect(projector.stats().applied).toBe(events.length);
  });

  it("runs its consumer with unlimited deliveries so an outage never dead-letters an event", async () => {
    await runProjector();
    const info = await env.nats.jsm.consumers.info(env.nats.topology.streams.events, PROJECTOR_DURABLE);
    expect(info.config.max_deliver).toBe(-1);
  });

  it("keeps events while the tables are missing, says so in readiness, and projects them once migrated", async () => {
    const bare = await isolatedDatabase({ migrate: false });
    env.defer(() => bare.cleanup());
    const events = storyEvents({ requestId: randomUUID(), agents: ["sentiment"] });
    await publishAll(env.nats.js, env.nats.topology, events);
    await runProjector({ pool: bare.pool });
    await expect(tablesCheck(bare.pool, READ_MODEL_SCHEMA)()).rejects.toThrow(/tables missing in schema "read_model": requests, agent_results, webhook_attempts, projected_events, projection_failures; run `npm run migrate`/);
    // Failing handlers were retried, not dead-lettered.
    await eventually(async () => ((await env.nats.jsm.consumers.info(env.nats.topology.streams.events, PROJECTOR_DURABLE)).num_redelivered > 0 ? true : undefined));
    await migrateReadModels(bare.url);
    await eventually(async () => ((await projectedCount(bare.pool)) === events.length ? true : undefined));
    await expect(tablesCheck(bare.pool, READ_MODEL_SCHEMA)()).resolves.toBeUndefined();
    expect((await env.nats.jsm.streams.info(env.nats.topology.streams.deadLetters)).state.messages).toBe(0);
  });

  it("changes nothing when a naked event is delivered again", async () => {
    const events = storyEvents({ requestId: randomUUID(), agents: ["summarizer", "sentiment"], webhook: "delivered-on-retry" });
    await publishAll(env.nats.js, env.nats.topology, events);
    const t = env.nats.topology;
    await ensureDurable(env.nats.jsm, { stream: t.streams.events, durable: PROJECTOR_DURABLE, filterSubject: t.subjects.allEvents, ackWaitMs: 30_000, maxDeliver: -1, maxAckPending: 256 });
    const consumer = await env.nats.js.consumers.get(t.streams.events, PROJECTOR_DURABLE);
    const fetched = await consumer.fetch({ max_messages: events.length, expires: 5_000 });
    let naked = 0;
    for await (const m of fetched) {
      await applyEvent(env.db.pool, READ_MODEL_SCHEMA, m.json<ChorusEvent>(), m.seq, { whenRequestMissing: "wait" });
      m.nak();
      naked += 1;
    }
    expect(naked).toBe(events.length);
    const before = await readModelRows(env.db.pool);
    expect(before.projected_events).toHaveLength(events.length);

    const projector = await runProjector();
    await eventually(() => (projector.stats().duplicate === events.length ? true : undefined));
    expect(projector.stats().applied).toBe(0);
    expect(await readModelRows(env.db.pool)).toEqual(before);
    await untilQuiet(env.nats, t.streams.events, PROJECTOR_DURABLE);
  });
});

describe("applying one event", () => {
  it("changes nothing when the same stream sequence is applied twice", async () => {
    const events = storyEvents({ requestId: randomUUID(), agents: ["summarizer", "entity_extractor"], failing: ["summarizer"], webhook: "exhausted" });
    for (const [i, e] of events.entries()) expect(await applyEvent(env.db.pool, READ_MODEL_SCHEMA, e, i + 1, { whenRequestMissing: "wait" })).toBe("applied");
    const before = await readModelRows(env.db.pool);
    for (const [i, e] of events.entries()) expect(await applyEvent(env.db.pool, READ_MODEL_SCHEMA, e, i + 1, { whenRequestMissing: "wait" })).toBe("duplicate");
    expect(await readModelRows(env.db.pool)).toEqual(before);
  });

  it("gives the same rows whatever order a request's events are applied in", async () => {
    const all = stories().flatMap((s) => storyEvents(s)).map((event, i) => ({ event, seq: i + 1 }));
    for (const { event, seq } of all) await applyEvent(env.db.pool, READ_MODEL_SCHEMA, event, seq, { whenRequestMissing: "wait" });
    const expected = await readModelRows(env.db.pool);

    const other = await isolatedDatabase();
    env.defer(() => other.cleanup());
    // Ends before accepts, outcomes before starts, webhook facts before their request:
    // the reverse order, then shuffles; a waiting event goes to the back of the queue.
    let queue = [...all].reverse();
    const outcomes: string[] = [];
    while (queue.length > 0) {
      const next: typeof queue = [];
      for (const item of shuffled(queue, queue.length)) {
        const outcome = await applyEvent(other.pool, READ_MODEL_SCHEMA, item.event, item.seq, { whenRequestMissing: "wait" });
        outcomes.push(outcome);
        if (outcome === "waiting") next.push(item);
      }
      queue = next;
    }
    expect(outcomes).toContain("waiting");
    expect(await readModelRows(other.pool)).toEqual(expected);
  });

  it("writes nothing, not even the sequence, for a webhook fact that waits for its request", async () => {
    const events = storyEvents({ requestId: randomUUID(), agents: ["sentiment"], webhook: "delivered-on-retry" });
    const attempted = events.find((e) => e.type === "WebhookAttempted") as ChorusEvent;
    expect(await applyEvent(env.db.pool, READ_MODEL_SCHEMA, attempted, 50, { whenRequestMissing: "wait" })).toBe("waiting");
    expect(await projectedCount(env.db.pool)).toBe(0);
    expect((await readModelRows(env.db.pool)).webhook_attempts).toEqual([]);
    expect(await applyEvent(env.db.pool, READ_MODEL_SCHEMA, events[0] as ChorusEvent, 1, { whenRequestMissing: "wait" })).toBe("applied");
    expect(await applyEvent(env.db.pool, READ_MODEL_SCHEMA, attempted, 50, { whenRequestMissing: "wait" })).toBe("applied");
    expect((await readModelRows(env.db.pool)).requests[0]).toMatchObject({ webhook_attempts: 1, webhook_status: "pending", webhook_last_status_code: 503 });
  });

  it("waits for a rebuild's swap before it reads anything, and then applies", async () => {
    const [accepted] = storyEvents({ requestId: randomUUID(), agents: ["sentiment"] }) as [ChorusEvent];
    // Connections of their own (slonik would run a call made inside its transaction on that
    // transaction). The observer watches from outside the swap's transaction: inside one,
    // Postgres keeps showing each backend's query text as it was at the transaction's first
    // look at pg_stat_activity (with its wait event live), which is how the pool's
    // 'DISCARD ALL' once appeared to be waiting on the lock.
    const [swap, observer] = [new pg.Client({ connectionString: env.db.url }), new pg.Client({ connectionString: env.db.url })];
    await Promise.all([swap.connect(), observer.connect()]);
    env.defer(() => observer.end());
    await projectedCount(env.db.pool); // the pool's connection exists before the lock is taken
    // What swapSchemas holds while it catches the staging schema up.
    await swap.query("BEGIN");
    await swap.query(`LOCK TABLE "${READ_MODEL_SCHEMA}".projected_events IN EXCLUSIVE MODE`);
    const applying = applyEvent(env.db.pool, READ_MODEL_SCHEMA, accepted, 1, { whenRequestMissing: "wait" });
    // Whatever the test's outcome, the lock goes and the transaction settles before the pool
    // is ended; ended under it, the transaction would reject with nobody listening.
    env.defer(async () => {
      await swap.end().catch(() => undefined);
      await applying.catch(() => undefined);
    });
    const waiting = await eventually(async () => {
      const { rows } = await observer.query<{ query: string }>(
        `SELECT query FROM pg_stat_activity
         WHERE datname = current_database() AND state = 'active' AND wait_event_type = 'Lock'
           -- The pool's own housekeeping between checkouts is not the projector's statement.
           AND query NOT IN ('DISCARD ALL', 'RESET ALL', 'DEALLOCATE ALL')`,
      );
      return rows.length > 0 ? rows : undefined;
    });
    // Blocked at its first statement on a table, not after reading the old rows.
    expect(waiting.map((r) => r.query.trim())).toEqual([expect.stringMatching(/^LOCK TABLE/)]);
    await swap.query("COMMIT");
    expect(await applying).toBe("applied");
    expect((await readModelRows(env.db.pool)).requests).toHaveLength(1);
  });
});
