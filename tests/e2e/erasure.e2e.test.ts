// Erasure of one request through the real services, with API keys on (the gateway records
// the tombstone, the projector strips the read models and deletes from NATS): after
// DELETE /api/v1/results/{id} nothing the client wrote (its text, the agents' outputs, its
// webhook URL) can be read anywhere — the REST reads, the event stream, the dead letters,
// the read models — and a rebuild of the read models does not bring it back; the request's
// tombstone says it existed and was erased, when and by which key. Other requests are untouched.
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RequestErasure, type RequestView } from "@chorus/contracts";
import { sql } from "@chorus/platform";
import {
  bearer,
  createApiKey,
  eventually,
  postProcess,
  spawnService,
  startPipeline,
  startWebhookReceiver,
  type CreatedApiKey,
  type RunningPipeline,
  type WebhookReceiver,
} from "@chorus/testing";

const KEY = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
/** In the erased request's text only: wherever it is found afterwards, the erasure missed it. */
const MARKER = `Quillon-${randomBytes(4).toString("hex")}`;
const TEXT = `Dr. Amara ${MARKER} of Helix Robotics said on Monday in Lisbon that the new warehouse robots performed well.`;

let pipeline: RunningPipeline;
let receiver: WebhookReceiver;
let eraser: CreatedApiKey;
let reader: CreatedApiKey;
let stranger: CreatedApiKey;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  pipeline = await startPipeline({ auth: true, env: { WEBHOOK_SECRET_KEY: KEY, WEBHOOK_ALLOW_PRIVATE: "true", AGENT_PROVIDER: "local" } });
  await pipeline.startReplica("webhooks");
  const admin = pipeline.adminKey as string;
  eraser = await createApiKey(pipeline.gateway.url, admin, { tenant: "acme", scopes: ["requests:write", "requests:read", "requests:erase"] });
  reader = await createApiKey(pipeline.gateway.url, admin, { tenant: "acme", scopes: ["requests:write", "requests:read"] });
  stranger = await createApiKey(pipeline.gateway.url, admin, { tenant: "globex", scopes: ["requests:read", "requests:erase"] });
}, 120_000);

afterAll(async () => {
  await pipeline?.stop();
  await receiver?.close();
});

const api = (path: string, key: CreatedApiKey, init: RequestInit = {}) => fetch(`${pipeline.gateway.url}${path}`, { ...init, headers: bearer(key.key) });

/** Every message of the pipeline's event stream and dead letters, as text. */
async function everythingStored(): Promise<string> {
  const { js, jsm, topology: t } = pipeline.nats;
  const texts: string[] = [];
  for (const [stream, subjects] of [
    [t.streams.events, t.subjects.allEvents],
    [t.streams.deadLetters, t.subjects.allDeadLetters],
  ] as const) {
    const stored = (await jsm.streams.info(stream)).state.messages;
    if (stored === 0) continue;
    const consumer = await js.consumers.get(stream, { filter_subjects: subjects });
    for (let read = 0; read < stored; ) {
      const batch = await consumer.fetch({ max_messages: 500, expires: 2_000 });
      let got = 0;
      for await (const m of batch) {
        got++;
        texts.push(m.string());
        if (m.info.pending === 0) read = stored;
      }
      if (got === 0) break;
      read += got;
    }
  }
  return texts.join("\n");
}

async function readModelText(requestId: string): Promise<string> {
  const pool = pipeline.db.pool;
  const rows = [
    ...(await pool.any(sql.unsafe`SELECT * FROM read_model.requests WHERE request_id = ${requestId}`)),
    ...(await pool.any(sql.unsafe`SELECT * FROM read_model.agent_results WHERE request_id = ${requestId}`)),
    ...(await pool.any(sql.unsafe`SELECT * FROM read_model.webhook_attempts WHERE request_id = ${requestId}`)),
  ];
  return JSON.stringify(rows, (_key, value: unknown) => (typeof value === "bigint" ? Number(value) : value));
}

describe("erasing a request", () => {
  it("makes its text, outputs and webhook unreadable everywhere, keeps its tombstone, and survives a rebuild", async () => {
    const submitted = await postProcess<RequestView>(pipeline.gateway.url, { text: TEXT, webhook_url: `${receiver.url}/erased-hook`, webhook_secret: "erasure-secret-0123456789" }, bearer(eraser.key));
    expect(submitted.status).toBe(202);
    const id = submitted.body.request_id;
    const kept = await postProcess<RequestView>(pipeline.gateway.url, { text: "The weather in Oslo was calm and the ferries ran on time." }, bearer(eraser.key));
    expect(kept.status).toBe(200);
    // Ended, its webhook delivered and everything projected: there is something everywhere to erase.
    await eventually(async () => {
      const view = (await (await api(`/api/v1/results/${id}`, eraser)).json()) as RequestView;
      return view.webhook?.status === "delivered" && view.results.entity_extractor?.status === "completed" ? view : undefined;
    }, 60_000);
    const { js, topology: t } = pipeline.nats;
    await js.publish(t.subjects.deadLetter(t.subjects.task("summarizer")), JSON.stringify({ type: "AgentTask", request_id: id, data: { text: TEXT } }));
    expect(await everythingStored()).toContain(MARKER);
    await eventually(async () => ((await readModelText(id)).includes("erased-hook") ? true : undefined));

    // Its own scope, its own tenant.
    expect((await api(`/api/v1/results/${id}`, reader, { method: "DELETE" })).status).toBe(403);
    expect((await api(`/api/v1/results/${id}`, stranger, { method: "DELETE" })).status).toBe(404);

    const started = performance.now();
    const res = await api(`/api/v1/results/${id}`, eraser, { method: "DELETE" });
    const answeredMs = Math.round(performance.now() - started);
    // 200 once the projector has deleted what NATS held of it (202 while it still is).
    expect([200, 202], pipeline.gateway.output()).toContain(res.status);
    const erasure = RequestErasure.parse(await res.json());
    expect(erasure).toMatchObject({ request_id: id, erased_by_key: eraser.id });
    // At least accepted, 3 outcomes, the end and the webhook's attempt and delivery.
    expect(erasure.erased_events).toBeGreaterThanOrEqual(7);
    process.stdout.write(`erasure: DELETE answered ${res.status} in ${answeredMs} ms (${erasure.erased_events} events, a dead letter, the read models)\n`);

    // The reads: gone, not missing; the list leaves it out and keeps the other.
    for (const path of [`/api/v1/results/${id}`, `/api/v1/results/${id}/events`]) expect((await api(path, eraser)).status, path).toBe(410);
    expect((await api(`/api/v1/webhook-logs/${id}`, eraser)).status).toBe(410);
    // The list is the read model's: it leaves the request out once the projector has applied the tombstone.
    await eventually(async () => {
      const list = (await (await api("/api/v1/results?page_size=100", eraser)).json()) as { items: RequestView[] };
      return list.items.length === 1 && list.items[0]?.request_id === kept.body.request_id ? true : undefined;
    });
    expect((await api(`/api/v1/results/${kept.body.request_id}`, eraser)).status).toBe(200);

    // NATS: only the tombstone is left of it, naming who erased it and when.
    const stored = await eventually(async () => {
      const all = await everythingStored();
      return all.includes(MARKER) ? undefined : all;
    });
    expect(stored).not.toContain(MARKER);
    expect(stored).not.toContain("erased-hook");
    expect(stored).toContain(`"erased_by_key":"${eraser.id}"`);

    // The read models: the row says it was erased, and holds nothing the client wrote.
    await eventually(async () => {
      const text = await readModelText(id);
      return !text.includes(MARKER) && !text.includes("erased-hook") && text.includes(eraser.id) ? true : undefined;
    });
    const row = await pipeline.db.pool.one(sql.unsafe`SELECT status, erased_at, erased_by_key, webhook_url FROM read_model.requests WHERE request_id = ${id}`);
    expect(row).toMatchObject({ status: "completed", erased_by_key: eraser.id, webhook_url: null });
    expect((row as { erased_at: unknown }).erased_at).not.toBeNull();

    // A rebuild replays the stream: the tombstone alone, nothing to bring back.
    const rebuild = await spawnService("projector-rebuild", { ...pipeline.env }, { entry: "services/projector/src/rebuild.ts" });
    const code = rebuild.process.exitCode ?? (await new Promise<number | null>((resolve) => rebuild.process.once("exit", resolve)));
    expect(code, rebuild.output()).toBe(0);
    const rebuilt = await readModelText(id);
    expect(rebuilt).not.toContain(MARKER);
    expect(rebuilt).toContain(eraser.id);
    expect((await api(`/api/v1/results/${id}`, eraser)).status).toBe(410);
    expect((await api(`/api/v1/results/${kept.body.request_id}`, eraser)).status).toBe(200);
  });

  it("answers 404 for a request that never existed, and 401 without a key", async () => {
    expect((await api(`/api/v1/results/${randomUUID()}`, eraser, { method: "DELETE" })).status).toBe(404);
    expect((await fetch(`${pipeline.gateway.url}/api/v1/results/${randomUUID()}`, { method: "DELETE" })).status).toBe(401);
  });
});
