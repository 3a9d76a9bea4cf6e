import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { RequestView, type ChorusEvent } from "@chorus/contracts";
import { READ_MODEL_SCHEMA, publishEvent, sql } from "@chorus/platform";
import { isolatedPerFile, isolatedPerTest } from "@chorus/testing";
import { ErrorBody } from "../http/errors.ts";
import { SAMPLE_OUTPUTS, borrowedDatabase, completedResult, startTestGateway, unreachableDatabase } from "../gateway.fixtures.ts";
import { ResultsPage } from "./schema.ts";

type TestGateway = Awaited<ReturnType<typeof startTestGateway>>;

// One database for the file, emptied before each test; NATS of each test's own.
const shared = isolatedPerFile({ database: true });
const env = isolatedPerTest({ nats: true });
let gateway: TestGateway;

beforeEach(async () => {
  gateway = await startTestGateway({ nats: env.nats, database: borrowedDatabase(shared.db.pool) });
  env.defer(() => gateway.stop());
  await shared.db.pool.query(sql.unsafe`TRUNCATE read_model.requests, read_model.agent_results`);
});

const requests = sql.identifier([READ_MODEL_SCHEMA, "requests"]);
const agentResults = sql.identifier([READ_MODEL_SCHEMA, "agent_results"]);

type RequestSeed = {
  id?: string;
  status?: string;
  agents?: string[];
  mode?: "parallel" | "sequential";
  createdAt: string;
  completedAt?: string | null;
  tenant?: string;
  webhook?: { url: string; status: string; attempts: number; code: number | null; deliveredAt: string | null } | null;
};

async function insertRequest(seed: RequestSeed): Promise<string> {
  const id = seed.id ?? randomUUID();
  const agents = seed.agents ?? ["summarizer", "sentiment", "entity_extractor"];
  const w = seed.webhook ?? null;
  await shared.db.pool.query(sql.unsafe`
    INSERT INTO ${requests} (request_id, tenant_id, status, orchestration_mode, agents, text_length, correlation_id,
      idempotency_key, webhook_url, webhook_status, webhook_attempts, webhook_last_status_code, webhook_delivered_at,
      created_at, completed_at, duration_ms, last_event_seq)
    VALUES (${id}, ${seed.tenant ?? "default"}, ${seed.status ?? "completed"}, ${seed.mode ?? "parallel"}, ${sql.array(agents, "text")}, 42, 'corr',
      NULL, ${w?.url ?? null}, ${w?.status ?? null}, ${w?.attempts ?? 0}, ${w?.code ?? null}, ${w?.deliveredAt ?? null},
      ${seed.createdAt}, ${seed.completedAt ?? null}, NULL, 1)`);
  return id;
}

async function insertAgentResult(requestId: string, agent: string, row: Record<string, unknown>) {
  await shared.db.pool.query(sql.unsafe`
    INSERT INTO ${agentResults} (request_id, agent, status, provider, model, duration_ms, prompt_tokens, completion_tokens,
      total_tokens, output, error_code, error_message, last_event_seq)
    VALUES (${requestId}, ${agent}, ${String(row.status)}, ${(row.provider as string) ?? null}, ${(row.model as string) ?? null},
      ${(row.duration_ms as number) ?? null}, ${(row.prompt_tokens as number) ?? null}, ${(row.completion_tokens as number) ?? null},
      ${(row.total_tokens as number) ?? null}, ${row.output === undefined ? null : sql.jsonb(row.output as never)},
      ${(row.error_code as string) ?? null}, ${(row.error_message as string) ?? null}, 1)`);
}

const get = (path: string) => fetch(`${gateway.url}${path}`);

describe("GET /api/v1/results/:request_id", () => {
  it("answers the request from the read models, with every agent's result", async () => {
    const id = await insertRequest({
      status: "partial",
      createdAt: "2026-11-24T10:00:00.000Z",
      completedAt: "2026-11-24T10:00:00.420Z",
      webhook: { url: "https://receiver.example/hook", status: "delivered", attempts: 2, code: 200, deliveredAt: "2026-11-24T10:00:01.000Z" },
    });
    await insertAgentResult(id, "summarizer", { status: "completed", provider: "openai", model: "gpt-4o-mini", duration_ms: 12, prompt_tokens: 100, completion_tokens: 20, total_tokens: 120, output: SAMPLE_OUTPUTS.summarizer });
    await insertAgentResult(id, "sentiment", { status: "failed", provider: "local", model: "wink", duration_ms: 4, error_code: "timeout", error_message: "no answer in 30000 ms" });
    const res = await get(`/api/v1/results/${id}`);
    expect(res.status).toBe(200);
    const view = RequestView.strict().parse(await res.json());
    expect(view).toEqual({
      request_id: id,
      status: "partial",
      orchestration_mode: "parallel",
      agents: ["summarizer", "sentiment", "entity_extractor"],
      created_at: "2026-11-24T10:00:00.000Z",
      completed_at: "2026-11-24T10:00:00.420Z",
      results: {
        summarizer: { status: "completed", provider: "openai", model: "gpt-4o-mini", duration_ms: 12, usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 }, error: null, output: SAMPLE_OUTPUTS.summarizer },
        sentiment: { status: "failed", provider: "local", model: "wink", duration_ms: 4, usage: null, error: { code: "timeout", message: "no answer in 30000 ms" }, output: null },
        entity_extractor: { status: "pending", provider: null, model: null, duration_ms: null, usage: null, error: null, output: null },
      },
      webhook: { url: "https://receiver.example/hook", status: "delivered", attempts: 2, last_status_code: 200, delivered_at: "2026-11-24T10:00:01.000Z" },
      // Every agent's tokens together: only the summarizer reported any.
      usage_total: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
    });
  });

  it("answers 404 NotFound for an unknown request, and for an id that is not a UUID", async () => {
    const unknown = randomUUID();
    const res = await get(`/api/v1/results/${unknown}`);
    expect(res.status).toBe(404);
    expect(ErrorBody.parse(await res.json())).toMatchObject({ error: "NotFound", request_id: unknown });
    const notUuid = await get("/api/v1/results/not-a-uuid");
    expect(notUuid.status).toBe(404);
    expect(ErrorBody.parse(await notUuid.json()).error).toBe("NotFound");
  });

  it("does not show another tenant's request", async () => {
    const id = await insertRequest({ createdAt: "2026-11-24T10:00:00.000Z", tenant: "someone-else" });
    expect((await get(`/api/v1/results/${id}`)).status).toBe(404);
  });

  it("answers a request the projector has not caught up with from its events", async () => {
    const id = randomUUID();
    const meta = { version: 1 as const, request_id: id, tenant_id: "default", correlation_id: "c" };
    const accepted: ChorusEvent = {
      ...meta, id: randomUUID(), type: "RequestAccepted", occurred_at: "2026-11-24T10:00:00.000Z",
      data: { text: "some text to analyse", orchestration_mode: "sequential", agents: ["sentiment"], webhook: null, idempotency_key: null, fingerprint: null, agent_timeout_ms: 1000 },
    };
    const completed: ChorusEvent = {
      ...meta, id: randomUUID(), type: "RequestCompleted", occurred_at: "2026-11-24T10:00:00.300Z",
      data: { status: "completed", results: { sentiment: completedResult("sentiment") }, duration_ms: 300, webhook: null, orchestration_mode: "sequential", agents: ["sentiment"], created_at: "2026-11-24T10:00:00.000Z" },
    };
    await publishEvent(env.nats.js, env.nats.topology, accepted, { msgID: `${id}:accepted` });
    await publishEvent(env.nats.js, env.nats.topology, completed, { msgID: `${id}:end` });
    const res = await get(`/api/v1/results/${id}`);
    expect(res.status).toBe(200);
    const view = RequestView.parse(await res.json());
    expect(view).toMatchObject({ status: "completed", orchestration_mode: "sequential", completed_at: "2026-11-24T10:00:00.300Z" });
    expect(view.results.sentiment?.output).toEqual(SAMPLE_OUTPUTS.sentiment);
  });
});

describe("GET /api/v1/results/:request_id while the read model lags the stream", () => {
  const eventsOf = (id: string, tenant = "default") => {
    const meta = { version: 1 as const, request_id: id, tenant_id: tenant, correlation_id: "c" };
    const at = (ms: number) => new Date(Date.parse("2026-11-24T10:00:00.000Z") + ms).toISOString();
    return {
      accepted: { ...meta, id: randomUUID(), type: "RequestAccepted", occurred_at: at(0), data: { text: "some text to analyse", orchestration_mode: "parallel", agents: ["sentiment"], webhook: null, idempotency_key: null, fingerprint: null, agent_timeout_ms: 1000 } } satisfies ChorusEvent,
      dispatched: { ...meta, id: randomUUID(), type: "AgentDispatched", occurred_at: at(1), data: { agent: "sentiment", deadline_at: at(1001), context_from: [] } } satisfies ChorusEvent,
      started: { ...meta, id: randomUUID(), type: "AgentStarted", occurred_at: at(2), data: { agent: "sentiment", provider: "local", model: "m", delivery: 1 } } satisfies ChorusEvent,
      completed: {
        ...meta, id: randomUUID(), type: "RequestCompleted", occurred_at: at(300),
        data: { status: "completed", results: { sentiment: completedResult("sentiment") }, duration_ms: 300, webhook: null, orchestration_mode: "parallel", agents: ["sentiment"], created_at: at(0) },
      } satisfies ChorusEvent,
    };
  };
  const record = async (...events: ChorusEvent[]) => {
    for (const e of events) await publishEvent(env.nats.js, env.nats.topology, e, { msgID: e.id });
  };

  it("answers from the stream alone while Postgres is down: a request it knows, 503 for the list and an id it does not know", async () => {
    const id = randomUUID();
    const { accepted, completed } = eventsOf(id);
    await record(accepted, completed);
    const down = unreachableDatabase();
    const cut = await startTestGateway({ nats: env.nats, database: down });
    try {
      const res = await fetch(`${cut.url}/api/v1/results/${id}`);
      expect(res.status).toBe(200);
      expect(RequestView.parse(await res.json())).toMatchObject({ request_id: id, status: "completed", completed_at: completed.occurred_at, results: { sentiment: { status: "completed" } } });
      for (const path of [`/api/v1/results/${randomUUID()}`, "/api/v1/results"]) expect((await fetch(`${cut.url}${path}`)).status).toBe(503);
    } finally {
      await cut.stop();
      await down.close();
    }
  });

  it("answers a row still processing with the end the stream already has", async () => {
    const id = await insertRequest({ status: "processing", agents: ["sentiment"], createdAt: "2026-11-24T10:00:00.000Z" });
    const e = eventsOf(id);
    await record(e.accepted, e.dispatched, e.started, e.completed);
    const view = RequestView.parse(await (await get(`/api/v1/results/${id}`)).json());
    expect(view).toMatchObject({ status: "completed", completed_at: "2026-11-24T10:00:00.300Z" });
    expect(view.results.sentiment).toEqual(completedResult("sentiment"));
  });

  it("answers a row still pending with its agents' steps in the stream, never behind them", async () => {
    const id = await insertRequest({ status: "pending", agents: ["sentiment"], createdAt: "2026-11-24T10:00:00.000Z", completedAt: null });
    const e = eventsOf(id);
    await record(e.accepted, e.dispatched, e.started);
    const view = RequestView.parse(await (await get(`/api/v1/results/${id}`)).json());
    expect(view.status).toBe("processing");
    expect(view.results.sentiment).toMatchObject({ status: "running", provider: "local", model: "m" });
  });

  it("finds nothing of another tenant's request in the stream either: 404, as for one that never existed", async () => {
    const id = randomUUID();
    const e = eventsOf(id, "someone-else");
    await record(e.accepted, e.completed);
    const res = await get(`/api/v1/results/${id}`);
    expect(res.status).toBe(404);
    expect(ErrorBody.parse(await res.json()).error).toBe("NotFound");
    expect((await get(`/api/v1/results/${id}/events`)).status).toBe(404);
    expect((await get(`/api/v1/webhook-logs/${id}`)).status).toBe(404);
  });
});

describe("GET /api/v1/results", () => {
  async function seedFive() {
    const ids: string[] = [];
    const statuses = ["completed", "failed", "completed", "pending", "partial"];
    for (const [i, status] of statuses.entries()) {
      ids.push(await insertRequest({ status, createdAt: `2026-11-24T10:00:0${i}.000Z`, completedAt: status === "pending" ? null : `2026-11-24T10:00:0${i}.500Z` }));
    }
    return ids; // oldest first
  }

  it("lists requests newest first with the default page", async () => {
    const ids = await seedFive();
    const res = await get("/api/v1/results");
    expect(res.status).toBe(200);
    const page = ResultsPage.parse(await res.json());
    expect(page).toMatchObject({ page: 1, page_size: 20, total: 5 });
    expect(page.items.map((v) => v.request_id)).toEqual([...ids].reverse());
    for (const item of page.items) RequestView.strict().parse(item);
  });

  it("pages with page and page_size", async () => {
    const ids = await seedFive();
    const second = ResultsPage.parse(await (await get("/api/v1/results?page=2&page_size=2")).json());
    expect(second).toMatchObject({ page: 2, page_size: 2, total: 5 });
    expect(second.items.map((v) => v.request_id)).toEqual([ids[2], ids[1]]);
    const beyond = ResultsPage.parse(await (await get("/api/v1/results?page=4&page_size=2")).json());
    expect(beyond.items).toEqual([]);
    expect(beyond.total).toBe(5);
  });

  it("filters by status", async () => {
    const ids = await seedFive();
    const page = ResultsPage.parse(await (await get("/api/v1/results?status=completed")).json());
    expect(page.total).toBe(2);
    expect(page.items.map((v) => v.request_id)).toEqual([ids[2], ids[0]]);
    expect(page.items.every((v) => v.status === "completed")).toBe(true);
  });

  it("filters by mode and by agent, together with the status", async () => {
    const at = (s: number) => `2026-11-24T10:00:0${s}.000Z`;
    const sequentialSummary = await insertRequest({ mode: "sequential", agents: ["summarizer"], createdAt: at(1) });
    const parallelAll = await insertRequest({ createdAt: at(2) });
    const sequentialSentimentFailed = await insertRequest({ mode: "sequential", agents: ["sentiment", "entity_extractor"], status: "failed", createdAt: at(3) });
    const idsOf = async (query: string) => ResultsPage.parse(await (await get(`/api/v1/results?${query}`)).json()).items.map((v) => v.request_id);
    expect(await idsOf("orchestration_mode=sequential")).toEqual([sequentialSentimentFailed, sequentialSummary]);
    expect(await idsOf("agent=summarizer")).toEqual([parallelAll, sequentialSummary]);
    expect(await idsOf("agent=entity_extractor&orchestration_mode=sequential")).toEqual([sequentialSentimentFailed]);
    expect(await idsOf("agent=sentiment&status=completed")).toEqual([parallelAll]);
  });

  it.each([
    ["orchestration_mode=both", "orchestration_mode"],
    ["agent=translator", "agent"],
    ["page=0", "page"],
    ["page_size=101", "page_size"],
    ["page_size=abc", "page_size"],
    ["status=done", "status"],
  ])("answers 422 ValidationError for %s", async (query, field) => {
    const res = await get(`/api/v1/results?${query}`);
    expect(res.status).toBe(422);
    const body = ErrorBody.parse(await res.json());
    expect(body.error).toBe("ValidationError");
    expect(body.details?.map((d) => d.field)).toEqual([field]);
  });
});

describe("reads while Postgres is down", () => {
  it("answer 503 Unavailable", async () => {
    const down = unreachableDatabase();
    const cut = await startTestGateway({ nats: env.nats, database: down });
    try {
      for (const path of [`/api/v1/results/${randomUUID()}`, "/api/v1/results"]) {
        const res = await fetch(`${cut.url}${path}`);
        expect(res.status).toBe(503);
        expect(ErrorBody.parse(await res.json()).error).toBe("Unavailable");
      }
    } finally {
      await cut.stop();
      await down.close();
    }
  });
});
