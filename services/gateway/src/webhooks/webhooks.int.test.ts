import { createHmac, randomUUID } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { beforeAll, describe, expect, it } from "vitest";
import { READ_MODEL_SCHEMA, publishEvent, sql } from "@chorus/platform";
import { eventually, isolatedPerFile, isolatedPerTest } from "@chorus/testing";
import { databaseLink, type DatabaseLink } from "../database/link.ts";
import type { GatewaySettings } from "../deps.ts";
import { acceptedCount, runDownstreamDouble, startTestGateway } from "../gateway.fixtures.ts";
import { circuitChangesOf } from "./circuit-changes.ts";
import { CallbackTestResult, WebhookLogs } from "./schema.ts";

type TestGateway = Awaited<ReturnType<typeof startTestGateway>>;

const TEXT = "Apple reported record earnings in Cupertino on Tuesday.";
const SECRET = "a-webhook-secret-0123456789";
const INBOUND_SECRET = "inbound-shared-secret-0123456789";

// One database for the file; NATS of each test's own.
const shared = isolatedPerFile({ database: true });
const env = isolatedPerTest({ nats: true });
let gateway: TestGateway;
let link: DatabaseLink;

beforeAll(() => {
  // The link does not own the fixture's pool: closing a gateway must not end it.
  link = { ...databaseLink(shared.db.pool), close: async () => undefined };
});

async function startGateway(settings: Partial<GatewaySettings> = {}) {
  gateway = await startTestGateway({ nats: env.nats, database: link, settings: { webhookInboundSecret: INBOUND_SECRET, ...settings } });
  env.defer(() => gateway.stop());
  return gateway;
}

async function downstream() {
  const double = await runDownstreamDouble(env.nats);
  env.defer(() => double.stop());
  return double;
}

const call = (path: string, init: RequestInit = {}) => fetch(`${gateway.url}${path}`, init);

/** A request's row in the read model, of `tenantId`: its attempts are shown only with it. */
async function projectedRequest(requestId: string, tenantId: string) {
  await shared.db.pool.query(sql.unsafe`
    INSERT INTO ${sql.identifier([READ_MODEL_SCHEMA, "requests"])} (request_id, tenant_id, status, orchestration_mode, agents, text_length, correlation_id, webhook_url, created_at, last_event_seq)
    VALUES (${requestId}, ${tenantId}, 'completed', 'parallel', ${sql.array(["sentiment"], "text")}, 42, 'corr', 'https://r.example/h', '2026-11-25T10:00:00Z', 1)`);
}

describe("SSRF protection at submission", () => {
  it.each([
    ["loopback", "http://127.0.0.1:8080/hook"],
    ["private 10.x", "http://10.1.2.3/hook"],
    ["cloud metadata", "http://169.254.169.254/latest/meta-data/"],
    ["localhost", "http://localhost:3000/hook"],
    ["IPv6 loopback", "http://[::1]:3000/hook"],
    ["IPv4-mapped IPv6 loopback", "http://[::ffff:127.0.0.1]/hook"],
  ])("refuses a webhook_url at a %s address with a 422, and publishes nothing", async (_name, url) => {
    await startGateway();
    const res = await gateway.post({ text: TEXT, webhook_url: url, webhook_secret: SECRET });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { details: { field: string }[] }).details.map((d) => d.field)).toEqual(["webhook_url"]);
    expect(await acceptedCount(env.nats)).toBe(0);
  });

  it("accepts a loopback webhook_url when private addresses are allowed", async () => {
    await startGateway({ webhookAllowPrivate: true });
    const res = await gateway.post({ text: TEXT, webhook_url: "http://127.0.0.1:9/hook", webhook_secret: SECRET });
    expect(res.status).toBe(202);
  });
});

describe("GET /api/v1/webhook-logs/:request_id", () => {
  it("answers 404 for a request nobody knows", async () => {
    await startGateway();
    const res = await call(`/api/v1/webhook-logs/${randomUUID()}`);
    expect(res.status).toBe(404);
  });

  it("lists the attempts of the read model, oldest first", async () => {
    await startGateway();
    const requestId = randomUUID();
    const table = sql.identifier([READ_MODEL_SCHEMA, "webhook_attempts"]);
    // The request's row, of the caller's tenant: attempts are shown only with it.
    await projectedRequest(requestId, "default");
    for (const [attempt, status, error, at] of [
      [2, 204, null, "2026-11-25T10:00:03Z"],
      [1, 500, "HTTP 500", "2026-11-25T10:00:01Z"],
    ] as const) {
      await shared.db.pool.query(sql.unsafe`
        INSERT INTO ${table} (event_id, request_id, webhook_id, attempt, url, status_code, duration_ms, error, next_attempt_at, attempted_at, stream_seq)
        VALUES (${randomUUID()}, ${requestId}, 'msg_1', ${attempt}, 'https://r.example/h', ${status}, 5, ${error}, NULL, ${at}, ${attempt})`);
    }
    const res = await call(`/api/v1/webhook-logs/${requestId}`);
    expect(res.status).toBe(200);
    const body = WebhookLogs.parse(await res.json());
    expect(body.attempts.map((a) => [a.attempt, a.status_code, a.error, a.attempted_at])).toEqual([
      [1, 500, "HTTP 500", "2026-11-25T10:00:01.000Z"],
      [2, 204, null, "2026-11-25T10:00:03.000Z"],
    ]);
  });

  it("lists the endpoint circuit changes the request's delivery made, oldest first, from the event stream", async () => {
    await startGateway();
    const requestId = randomUUID();
    await projectedRequest(requestId, "default");
    const changed = (state: "open" | "half_open" | "closed", failures: number, at: string, nextProbeAt: string | null) =>
      publishEvent(env.nats.js, env.nats.topology, {
        id: randomUUID(),
        type: "WebhookCircuitChanged",
        version: 1,
        request_id: requestId,
        tenant_id: "default",
        occurred_at: at,
        correlation_id: "corr",
        data: { webhook_id: "msg_1", endpoint: "https://r.example", state, failures, next_probe_at: nextProbeAt },
      }, { msgID: randomUUID() });
    await changed("open", 5, "2026-11-25T10:00:01.000Z", "2026-11-25T10:00:31.000Z");
    // Another request's change on the same endpoint is not this request's.
    await publishEvent(env.nats.js, env.nats.topology, {
      id: randomUUID(), type: "WebhookCircuitChanged", version: 1, request_id: randomUUID(), tenant_id: "default", occurred_at: "2026-11-25T10:00:20.000Z", correlation_id: "c",
      data: { webhook_id: "msg_2", endpoint: "https://r.example", state: "half_open", failures: 5, next_probe_at: null },
    }, { msgID: randomUUID() });
    await changed("half_open", 5, "2026-11-25T10:00:31.000Z", null);
    await changed("closed", 0, "2026-11-25T10:00:32.000Z", null);
    const body = WebhookLogs.parse(await (await call(`/api/v1/webhook-logs/${requestId}`)).json());
    expect(body.circuit?.map((c) => [c.state, c.failures, c.next_probe_at, c.changed_at, c.endpoint])).toEqual([
      ["open", 5, "2026-11-25T10:00:31.000Z", "2026-11-25T10:00:01.000Z", "https://r.example"],
      ["half_open", 5, null, "2026-11-25T10:00:31.000Z", "https://r.example"],
      ["closed", 0, null, "2026-11-25T10:00:32.000Z", "https://r.example"],
    ]);
  });

  it("says the circuit changes are unknown (null), rather than none, while the broker is away", async () => {
    const deps = { jsm: env.nats.jsm, topology: env.nats.topology };
    expect(await circuitChangesOf({ ...deps, broker: { isUp: () => false } }, randomUUID())).toBeNull();
    expect(await circuitChangesOf({ ...deps, broker: { isUp: () => true } }, randomUUID())).toEqual([]);
  });

  it("shows another tenant's attempts to no one: its request is not found", async () => {
    await startGateway();
    const requestId = randomUUID();
    await projectedRequest(requestId, "another-tenant");
    await shared.db.pool.query(sql.unsafe`
      INSERT INTO ${sql.identifier([READ_MODEL_SCHEMA, "webhook_attempts"])} (event_id, request_id, webhook_id, attempt, url, status_code, duration_ms, error, next_attempt_at, attempted_at, stream_seq)
      VALUES (${randomUUID()}, ${requestId}, 'msg_1', 1, 'https://r.example/h', 204, 5, NULL, NULL, '2026-11-25T10:00:01Z', 1)`);
    expect((await call(`/api/v1/webhook-logs/${requestId}`)).status).toBe(404);
  });

  it("answers an empty list for a request known only to the event stream", async () => {
    await startGateway({ webhookAllowPrivate: true });
    await downstream();
    const submitted = (await (await gateway.post({ text: TEXT }, { prefer: "respond-async" })).json()) as { request_id: string };
    await eventually(async () => ((await call(`/api/v1/webhook-logs/${submitted.request_id}`)).status === 200 ? true : undefined));
    const body = WebhookLogs.parse(await (await call(`/api/v1/webhook-logs/${submitted.request_id}`)).json());
    expect(body).toEqual({ request_id: submitted.request_id, attempts: [], circuit: [] });
  });
});

describe("POST /api/v1/webhook/retry/:request_id", () => {
  const commandsOn = async (subject: string) => (await env.nats.jsm.streams.info(env.nats.topology.streams.commands, { subjects_filter: subject })).state.subjects?.[subject] ?? 0;

  it("answers 404 for an unknown request", async () => {
    await startGateway();
    expect((await call(`/api/v1/webhook/retry/${randomUUID()}`, { method: "POST" })).status).toBe(404);
  });

  it("answers 409 for a request without a webhook", async () => {
    await startGateway();
    await downstream();
    const res = await gateway.post({ text: TEXT });
    const { request_id } = (await res.json()) as { request_id: string };
    const retry = await call(`/api/v1/webhook/retry/${request_id}`, { method: "POST" });
    expect(retry.status).toBe(409);
    expect(await retry.json()).toMatchObject({ error: "NoWebhook", request_id });
    expect(await commandsOn(env.nats.topology.subjects.webhookRedeliver(request_id))).toBe(0);
  });
  // While a delivery chain is due, and once it has ended: retry.int.test.ts.
});

// POST /webhook/receive (signature schemes, timestamp window, replayed webhook-ids): inbound.int.test.ts.

describe("POST /webhook/callback/test", () => {
  const payload = JSON.stringify({ event: "request.completed", request_id: randomUUID() });

  it("says a signature made with the given secret is valid, by header or query", async () => {
    await startGateway();
    const wh = new Webhook(`whsec_${Buffer.from(SECRET).toString("base64")}`);
    const now = new Date();
    const headers = { "webhook-id": "msg_t", "webhook-timestamp": String(Math.floor(now.getTime() / 1000)), "webhook-signature": wh.sign("msg_t", now, payload) };
    const byHeader = CallbackTestResult.parse(await (await call("/webhook/callback/test", { method: "POST", headers: { ...headers, "x-webhook-secret": SECRET }, body: payload })).json());
    expect(byHeader).toEqual({ valid: true, scheme: "standard-webhooks", reason: null, webhook_id: "msg_t", received_bytes: Buffer.byteLength(payload) });
    const hex = createHmac("sha256", SECRET).update(payload).digest("hex");
    const byQuery = CallbackTestResult.parse(await (await call(`/webhook/callback/test?secret=${SECRET}`, { method: "POST", headers: { "x-webhook-signature": hex }, body: payload })).json());
    expect(byQuery).toMatchObject({ valid: true, scheme: "x-webhook-signature" });
  });

  it("says a signature made with another secret is not valid", async () => {
    await startGateway();
    const hex = createHmac("sha256", "not-the-secret-0123456789").update(payload).digest("hex");
    const res = await call("/webhook/callback/test", { method: "POST", headers: { "x-webhook-signature": hex, "x-webhook-secret": SECRET }, body: payload });
    expect(res.status).toBe(200);
    expect(CallbackTestResult.parse(await res.json())).toMatchObject({ valid: false, reason: "mismatch" });
  });

  it("asks for the secret when none is given", async () => {
    await startGateway();
    expect((await call("/webhook/callback/test", { method: "POST", body: payload })).status).toBe(422);
  });
});

