// Events Postgres refuses as data (U+0000, an unpaired surrogate), live and in a rebuild:
// each is held back alone, tried again a bounded number of times, dead-lettered with its
// reason and recorded on its request, while everything else goes in; an outage, however
// long, dead-letters nothing.
import { randomUUID } from "node:crypto";
import { createServer, connect, type Server, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import pg from "pg";
import type { AgentId, ChorusEvent } from "@chorus/contracts";
import { HEADER, READ_MODEL_SCHEMA, createDatabasePool, sql, type DatabasePool } from "@chorus/platform";
import { eventually, isolatedPerTest, testLogger, untilQuiet } from "@chorus/testing";
import { PROJECTOR_DURABLE, type Projector, type ProjectorDeps } from "./projector.ts";
import { rebuildReadModels } from "./rebuild/index.ts";
import { table } from "./store/index.ts";
import { storyEvents } from "./stories.fixtures.ts";
import { projectedCount, publishAll, readModelRows, startTestProjector } from "./read-models.fixtures.ts";

const DATA_ERROR_DELIVERIES = 3;

const env = isolatedPerTest({ nats: true, database: true });

function runProjector(overrides: Partial<ProjectorDeps> = {}): Promise<Projector> {
  return startTestProjector(env, { maxDataErrorDeliveries: DATA_ERROR_DELIVERIES, ...overrides });
}

/** The event with one agent's output text changed, wherever the event carries that output. */
function withOutputText(event: ChorusEvent, agent: AgentId, text: string): ChorusEvent {
  const change = (output: unknown) => {
    if (agent === "summarizer") return { ...(output as object), summary: text };
    if (agent === "entity_extractor") return { entities: [{ text, type: "ORGANIZATION", start: 0, end: 5 }] };
    return output;
  };
  if (event.type === "AgentCompleted" && event.data.agent === agent) return { ...event, data: { ...event.data, output: change(event.data.output) } } as ChorusEvent;
  if (event.type === "RequestCompleted" || event.type === "RequestFailed") {
    const result = event.data.results[agent];
    if (result?.output) return { ...event, data: { ...event.data, results: { ...event.data.results, [agent]: { ...result, output: change(result.output) } } } } as ChorusEvent;
  }
  return event;
}

/**
 * Five requests, four of them with an event the read models cannot take: text Postgres
 * cannot store (found before asking it) in five events, and a number Postgres refuses in one.
 */
function poisonedHistory() {
  const ids = { first: randomUUID(), badKey: randomUUID(), nul: randomUUID(), surrogate: randomUUID(), last: randomUUID() };
  const all: AgentId[] = ["summarizer", "sentiment", "entity_extractor"];
  // U+0000 in a text column (22021 from Postgres), in a jsonb one (22P05), an unpaired surrogate in jsonb (22P02).
  const badKey = storyEvents({ requestId: ids.badKey, agents: ["sentiment"], webhook: "delivered-on-retry" }).map((e) =>
    e.type === "RequestAccepted" ? { ...e, data: { ...e.data, idempotency_key: "key-\u0000-1" } } : e,
  );
  const nul = storyEvents({ requestId: ids.nul, agents: all }).map((e) => withOutputText(e, "summarizer", "A \u0000 summary."));
  const surrogate = storyEvents({ requestId: ids.surrogate, agents: all }).map((e) => withOutputText(e, "entity_extractor", "App\ud800"));
  // Beyond an integer column's range: 22003, which only Postgres tells.
  const overflow = storyEvents({ requestId: ids.last, agents: all, webhook: "exhausted" }).map((e, i, list) =>
    e.type === "WebhookAttempted" && list.findIndex((a) => a.type === "WebhookAttempted") === i ? { ...e, data: { ...e.data, duration_ms: 3_000_000_000 } } : e,
  );
  const events = [...storyEvents({ requestId: ids.first, agents: ["sentiment"] }), ...badKey, ...nul, ...surrogate, ...overflow];
  const refused = {
    badKey: badKey.filter((e) => e.type === "RequestAccepted"),
    nul: nul.filter((e) => (e.type === "AgentCompleted" && e.data.agent === "summarizer") || e.type === "RequestCompleted"),
    surrogate: surrogate.filter((e) => (e.type === "AgentCompleted" && e.data.agent === "entity_extractor") || e.type === "RequestCompleted"),
    overflow: overflow.filter((e) => e.type === "WebhookAttempted" && e.data.duration_ms === 3_000_000_000),
  };
  const refusedIds = Object.values(refused).flatMap((list) => list.map((e) => e.id));
  return { ids, events, refused, refusedIds };
}

const requestRow = (pool: DatabasePool, id: string) => pool.one(sql.unsafe`SELECT * FROM ${table(READ_MODEL_SCHEMA, "requests")} WHERE request_id = ${id}`);

async function deadLetters() {
  const t = env.nats.topology;
  const count = (await env.nats.jsm.streams.info(t.streams.deadLetters)).state.messages;
  const copies = [];
  for (let seq = 1; seq <= count; seq++) {
    const m = await env.nats.jsm.streams.getMessage(t.streams.deadLetters, { seq });
    if (m) copies.push({ subject: m.subject, event: m.json<ChorusEvent>(), reason: m.header.get(HEADER.reason), deliveries: m.header.get(HEADER.deliveries), from: m.header.get(HEADER.fromSubject) });
  }
  return copies;
}

describe("an event Postgres refuses", () => {
  it("is dead-lettered with its reason after its retries while the rest of its batch is applied, and a rebuild records the same", async () => {
    const { ids, events, refused, refusedIds } = poisonedHistory();
    const seqs = await publishAll(env.nats.js, env.nats.topology, events);
    const seqOf = (id: string) => seqs[events.findIndex((e) => e.id === id)] as number;

    // Hold the first batch at its lock, as a rebuild's swap would, until every other event
    // is in this consumer's hands: they then form the next batch, refused events inside it.
    const swap = new pg.Client({ connectionString: env.db.url });
    await swap.connect();
    env.defer(() => swap.end().catch(() => undefined));
    await swap.query("BEGIN");
    await swap.query(`LOCK TABLE "${READ_MODEL_SCHEMA}".projected_events IN EXCLUSIVE MODE`);
    const projector = await runProjector();
    await eventually(async () => ((await env.nats.jsm.consumers.info(env.nats.topology.streams.events, PROJECTOR_DURABLE)).num_ack_pending === events.length ? true : undefined));
    await swap.query("COMMIT");

    await eventually(async () => ((await projectedCount(env.db.pool)) === events.length ? true : undefined));
    await untilQuiet(env.nats, env.nats.topology.streams.events, PROJECTOR_DURABLE);

    // Each refused event went to the dead-letter subject on its last allowed delivery, with its reason.
    const copies = await deadLetters();
    expect(copies.map((c) => c.event.id).sort()).toEqual([...refusedIds].sort());
    for (const copy of copies) {
      expect(copy.subject).toBe(env.nats.topology.subjects.deadLetter(copy.from ?? ""));
      expect(copy.from).toBe(env.nats.topology.subjects.event(copy.event.request_id, copy.event));
      expect(copy.deliveries).toBe(String(DATA_ERROR_DELIVERIES));
      expect(copy.reason).toMatch(new RegExp(`^${copy.event.type} at stream sequence ${seqOf(copy.event.id)} could not be projected: `));
    }
    const reasonOf = (e: ChorusEvent | undefined) => copies.find((c) => c.event.id === e?.id)?.reason;
    const [nulOutcome, nulEnd] = refused.nul;
    expect(reasonOf(refused.badKey[0])).toMatch(/: event\.data\.idempotency_key contains U\+0000, which Postgres cannot store$/);
    expect(reasonOf(nulOutcome)).toMatch(/: event\.data\.output\.summary contains U\+0000, which Postgres cannot store$/);
    expect(reasonOf(nulEnd)).toMatch(/: event\.data\.results\.summarizer\.output\.summary contains U\+0000, which Postgres cannot store$/);
    expect(reasonOf(refused.surrogate[0])).toMatch(/: event\.data\.output\.entities\[0\]\.text contains an unpaired UTF-16 surrogate, which Postgres cannot store$/);
    expect(reasonOf(refused.overflow[0])).toMatch(/: value "3000000000" is out of range for type integer \(SQLSTATE 22003\)$/);
    expect(projector.stats().dead_lettered).toBe(refusedIds.length);
    expect(projector.deadLetters()).toMatchObject({ count: refusedIds.length, last: { reason: expect.stringContaining("could not be projected") } });

    // Every other event is applied, and the refused ones left what could be stored of them.
    const rows = await readModelRows(env.db.pool);
    const failures = rows.projection_failures as { event_id: string; salvaged: boolean }[];
    expect(failures.map((f) => f.event_id).sort()).toEqual([...refusedIds].sort());
    // Only the number out of range could not be stored in any form.
    expect(failures.filter((f) => !f.salvaged).map((f) => f.event_id)).toEqual([refused.overflow[0]?.id]);
    expect(await requestRow(env.db.pool, ids.first)).toMatchObject({ projection_error: null, status: "completed" });
    expect(await requestRow(env.db.pool, ids.badKey)).toMatchObject({
      status: "completed",
      idempotency_key: "key-\uFFFD-1",
      webhook_status: "delivered",
      text_length: 57,
      projection_error: reasonOf(refused.badKey[0]),
    });
    // The request's earliest refused event names it: the agent's outcome, not the end that repeats it.
    expect(await requestRow(env.db.pool, ids.nul)).toMatchObject({ status: "completed", projection_error: reasonOf(nulOutcome) });
    expect(await requestRow(env.db.pool, ids.surrogate)).toMatchObject({ status: "completed", projection_error: reasonOf(refused.surrogate[0]) });
    // The other attempt and the exhaustion went in around the refused attempt.
    expect(await requestRow(env.db.pool, ids.last)).toMatchObject({ status: "completed", webhook_status: "exhausted", webhook_attempts: 1, projection_error: reasonOf(refused.overflow[0]) });
    const summary = await env.db.pool.one(sql.unsafe`SELECT status, output FROM ${table(READ_MODEL_SCHEMA, "agent_results")} WHERE request_id = ${ids.nul} AND agent = 'summarizer'`);
    expect(summary).toMatchObject({ status: "completed", output: { summary: "A \uFFFD summary." } });

    // The rebuild meets the same events, records them the same way and finishes.
    const live = await readModelRows(env.db.pool);
    await projector.stop();
    const result = await rebuildReadModels({ js: env.nats.js, jsm: env.nats.jsm, topology: env.nats.topology, pool: env.db.pool, databaseUrl: env.db.url, logger: testLogger, batchSize: 6 });
    expect(result).toMatchObject({ events: events.length, failed: refusedIds.length, skipped: 0 });
    expect(await readModelRows(env.db.pool)).toEqual(live);
    expect((await deadLetters()).length).toBe(refusedIds.length);
  });

  it("waits for its request's row before recording the failure on it", async () => {
    const requestId = randomUUID();
    const events = storyEvents({ requestId, agents: ["summarizer"] });
    const outcome = events.find((e) => e.type === "AgentCompleted") as ChorusEvent;
    const refused = withOutputText(outcome, "summarizer", "\u0000");
    const [accepted, dispatched, started, , end] = events as [ChorusEvent, ChorusEvent, ChorusEvent, ChorusEvent, ChorusEvent];
    // The agent's events reach the stream before their request's (a replica ahead of another, say).
    await publishAll(env.nats.js, env.nats.topology, [dispatched, started, refused]);
    const projector = await runProjector();
    await eventually(() => (projector.stats().waiting > 0 ? true : undefined));
    expect(await deadLetters()).toEqual([]);
    expect((await readModelRows(env.db.pool)).projection_failures).toEqual([]);

    await publishAll(env.nats.js, env.nats.topology, [accepted, end]);
    await eventually(async () => ((await projectedCount(env.db.pool)) === events.length ? true : undefined));
    await untilQuiet(env.nats, env.nats.topology.streams.events, PROJECTOR_DURABLE);
    expect(projector.stats().dead_lettered).toBe(1);
    expect((await deadLetters()).map((c) => c.event.id)).toEqual([refused.id]);
    expect(await requestRow(env.db.pool, requestId)).toMatchObject({
      status: "completed",
      projection_error: expect.stringMatching(/^AgentCompleted at stream sequence 3 could not be projected: event\.data\.output\.summary contains U\+0000/),
    });
  });

  it("is not dead-lettered, nor is anything else, while Postgres cannot be reached; once it is back only the refused event is", async () => {
    const proxy = await cuttableProxy(new URL(env.db.url));
    env.defer(() => proxy.close());
    const pool = await createDatabasePool(proxy.url, { maximumPoolSize: 2 });
    env.defer(() => pool.end());
    const { events, refusedIds } = poisonedHistory();
    await publishAll(env.nats.js, env.nats.topology, events);
    await proxy.cut();

    let highestDelivery = 0;
    await runProjector({
      pool,
      retryDelayMs: (delivery) => {
        highestDelivery = Math.max(highestDelivery, delivery);
        return 20;
      },
    });
    // Delivered more often than a refused event is allowed, every time failing on the connection.
    await eventually(() => (highestDelivery > DATA_ERROR_DELIVERIES + 1 ? true : undefined));
    expect(await deadLetters()).toEqual([]);
    expect(await projectedCount(env.db.pool)).toBe(0);

    await proxy.restore();
    await eventually(async () => ((await projectedCount(env.db.pool)) === events.length ? true : undefined));
    expect((await deadLetters()).map((c) => c.event.id).sort()).toEqual([...refusedIds].sort());
  });
});

/** A TCP hop to Postgres that can be cut: while cut, connecting is refused and open connections are reset. */
async function cuttableProxy(target: URL) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = async () => {
    server = createServer((client) => {
      const upstream = connect(Number(target.port || 5432), target.hostname);
      for (const [a, b] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        sockets.add(a);
        a.pipe(b);
        a.on("error", () => b.destroy());
        a.on("close", () => {
          sockets.delete(a);
          b.destroy();
        });
      }
    });
    await new Promise<void>((resolve) => (server as Server).listen(port, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
  };
  const cut = async () => {
    const closed = new Promise<void>((resolve) => server?.close(() => resolve()) ?? resolve());
    for (const s of sockets) s.destroy();
    await closed;
    server = undefined;
  };
  await listen();
  const url = new URL(target);
  url.host = `127.0.0.1:${port}`;
  return { url: url.toString(), cut, restore: listen, close: cut };
}
