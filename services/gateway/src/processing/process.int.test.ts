import { beforeEach, describe, expect, it } from "vitest";
import { RequestAccepted, RequestView } from "@chorus/contracts";
import { connectNats } from "@chorus/platform";
import { NATS_URL, eventually, isolatedPerTest, recordedEventsOf, testLogger } from "@chorus/testing";
import { openSecret } from "@chorus/webhook-security";
import type { DatabaseLink } from "../database/link.ts";
import { ErrorBody } from "../http/errors.ts";
import {
  SAMPLE_OUTPUTS,
  TEST_WEBHOOK_KEYS,
  capturingLogger,
  acceptedCount,
  runDownstreamDouble,
  startTestGateway,
  unreachableDatabase,
} from "../gateway.fixtures.ts";

type TestGateway = Awaited<ReturnType<typeof startTestGateway>>;

const TEXT = "Apple reported record earnings in Cupertino on Tuesday, and investors cheered.";
const SECRET = "a-webhook-secret-of-some-length";

const env = isolatedPerTest({ nats: true });
let database: DatabaseLink;

async function gatewayWith(options: Omit<Parameters<typeof startTestGateway>[0], "nats" | "database"> = {}): Promise<TestGateway> {
  const gateway = await startTestGateway({ nats: env.nats, database, ...options });
  env.defer(() => gateway.stop());
  return gateway;
}

async function double(options: { acceptOnly?: boolean } = {}) {
  const d = await runDownstreamDouble(env.nats, options);
  env.defer(() => d.stop());
  return d;
}

/** The RequestAccepted the gateway recorded at `seq` (with no downstream double, every event is one). */
async function storedAccepted(seq = 1) {
  const msg = await env.nats.jsm.streams.getMessage(env.nats.topology.streams.events, { seq });
  return RequestAccepted.parse(msg?.json());
}

beforeEach(() => {
  database = unreachableDatabase();
  env.defer(() => database.close());
});

describe("POST /api/v1/process", () => {
  it("waits for the end and answers 200 with the request's result", async () => {
    const downstream = await double();
    const gateway = await gatewayWith();
    const res = await gateway.post({ text: TEXT, orchestration_mode: "sequential", agents: ["sentiment", "summarizer"] });
    expect(res.status).toBe(200);
    expect(res.headers.get("location")).toBeNull();
    const view = RequestView.parse(await res.json());
    expect(view.status).toBe("completed");
    expect(view.orchestration_mode).toBe("sequential");
    expect(view.agents).toEqual(["sentiment", "summarizer"]);
    expect(view.results.sentiment?.output).toEqual(SAMPLE_OUTPUTS.sentiment);
    expect(view.results.summarizer?.output).toEqual(SAMPLE_OUTPUTS.summarizer);
    expect(view.results.entity_extractor).toBeUndefined();
    const end = (await recordedEventsOf(env.nats, view.request_id)).find((e) => e.type === "RequestCompleted");
    expect(view.completed_at).toBe(end?.occurred_at);
    expect(view.webhook).toBeNull();
    expect(downstream.received.map((c) => c.request_id)).toEqual([view.request_id]);
  });

  it("applies the defaults: parallel mode and all three agents in order", async () => {
    const gateway = await gatewayWith();
    const res = await gateway.post({ text: TEXT, unknown_field: "ignored" }, { prefer: "respond-async" });
    expect(res.status).toBe(202);
    const cmd = await storedAccepted();
    expect(cmd.data.orchestration_mode).toBe("parallel");
    expect(cmd.data.agents).toEqual(["summarizer", "sentiment", "entity_extractor"]);
    expect(cmd.data.text).toBe(TEXT);
    expect(cmd.data.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(cmd.data).not.toHaveProperty("unknown_field");
  });

  it("answers 202 at once with Location and Preference-Applied under Prefer: respond-async", async () => {
    const gateway = await gatewayWith();
    const res = await gateway.post({ text: TEXT }, { prefer: "respond-async" });
    expect(res.status).toBe(202);
    expect(res.headers.get("preference-applied")).toBe("respond-async");
    const view = RequestView.parse(await res.json());
    expect(res.headers.get("location")).toBe(`/api/v1/results/${view.request_id}`);
    expect(view.status).toBe("pending");
    expect(Object.values(view.results).map((r) => r.status)).toEqual(["pending", "pending", "pending"]);
    expect(await acceptedCount(env.nats)).toBe(1);
    expect((await storedAccepted()).request_id).toBe(view.request_id);
  });

  it("answers 202 at once for a request with a webhook, sealing its secret and never echoing it", async () => {
    const gateway = await gatewayWith();
    const res = await gateway.post({ text: TEXT, webhook_url: "https://receiver.example/hook", webhook_secret: SECRET });
    expect(res.status).toBe(202);
    expect(res.headers.get("preference-applied")).toBeNull();
    const raw = await res.text();
    expect(raw).not.toContain(SECRET);
    const view = RequestView.parse(JSON.parse(raw));
    expect(view.webhook).toEqual({ url: "https://receiver.example/hook", status: "pending", attempts: 0, last_status_code: null, delivered_at: null });
    const cmd = await storedAccepted();
    expect(cmd.data.webhook?.url).toBe("https://receiver.example/hook");
    expect(cmd.data.webhook?.secret).not.toContain(SECRET);
    expect(openSecret(TEST_WEBHOOK_KEYS.ring, cmd.data.webhook!.secret, { requestId: cmd.request_id, tenantId: cmd.tenant_id, url: "https://receiver.example/hook" })).toBe(SECRET);
  });

  it("answers 202 with what is known and a Location when the wait bound passes", async () => {
    await double({ acceptOnly: true });
    const gateway = await gatewayWith({ settings: { processWaitTimeoutMs: 300 } });
    const res = await gateway.post({ text: TEXT, agents: ["entity_extractor"] });
    expect(res.status).toBe(202);
    const view = RequestView.parse(await res.json());
    expect(res.headers.get("location")).toBe(`/api/v1/results/${view.request_id}`);
    expect(res.headers.get("preference-applied")).toBeNull();
    expect(view).toMatchObject({ status: "pending", agents: ["entity_extractor"], completed_at: null });
  });

  it("returns the same request for a retried Idempotency-Key and records one RequestAccepted", async () => {
    const gateway = await gatewayWith();
    const headers = { "idempotency-key": "order-42", prefer: "respond-async" };
    const first = await gateway.post({ text: TEXT }, headers);
    const second = await gateway.post({ text: TEXT }, headers);
    expect([first.status, second.status]).toEqual([202, 202]);
    const [a, b] = [RequestView.parse(await first.json()), RequestView.parse(await second.json())];
    expect(b.request_id).toBe(a.request_id);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(await acceptedCount(env.nats)).toBe(1);
    expect((await storedAccepted()).data.idempotency_key).toBe("order-42");
  });

  it("answers a retried Idempotency-Key of an ended request at once with its result", async () => {
    const downstream = await double();
    const gateway = await gatewayWith();
    const first = await gateway.post({ text: TEXT }, { "idempotency-key": "k-ended" });
    expect(first.status).toBe(200);
    const firstView = RequestView.parse(await first.json());
    const again = await gateway.post({ text: TEXT }, { "idempotency-key": "k-ended", prefer: "respond-async" });
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    const againView = RequestView.parse(await again.json());
    expect(againView.request_id).toBe(firstView.request_id);
    expect(againView.status).toBe("completed");
    expect(againView.results).toEqual(firstView.results);
    expect(downstream.received).toHaveLength(1);
  });

  it("answers 422 IdempotencyKeyReused for a key reused with another body while the first is queued", async () => {
    const gateway = await gatewayWith();
    const first = await gateway.post({ text: TEXT }, { "idempotency-key": "reused", prefer: "respond-async" });
    expect(first.status).toBe(202);
    const { request_id } = RequestView.parse(await first.json());
    const res = await gateway.post({ text: `${TEXT} Another body.` }, { "idempotency-key": "reused", prefer: "respond-async" });
    expect(res.status).toBe(422);
    expect(ErrorBody.parse(await res.json())).toMatchObject({ error: "IdempotencyKeyReused", request_id });
    expect(await acceptedCount(env.nats)).toBe(1);
  });

  it("answers 422 IdempotencyKeyReused for a key reused with another body after it was accepted", async () => {
    const downstream = await double({ acceptOnly: true });
    const gateway = await gatewayWith();
    await gateway.post({ text: TEXT }, { "idempotency-key": "reused-late", prefer: "respond-async" });
    await eventually(() => (downstream.received.length === 1 ? true : undefined));
    const res = await gateway.post({ text: TEXT, agents: ["sentiment"] }, { "idempotency-key": "reused-late" });
    expect(res.status).toBe(422);
    expect(ErrorBody.parse(await res.json()).error).toBe("IdempotencyKeyReused");
    expect(downstream.received).toHaveLength(1);
  });

  it("echoes the correlation id and puts it on the RequestAccepted", async () => {
    const gateway = await gatewayWith();
    const res = await gateway.post({ text: TEXT }, { prefer: "respond-async", "x-correlation-id": "client-corr-7" });
    expect(res.headers.get("x-correlation-id")).toBe("client-corr-7");
    expect((await storedAccepted()).correlation_id).toBe("client-corr-7");
    const viaRequestId = await gateway.post({ text: TEXT }, { prefer: "respond-async", "x-request-id": "client-req-8" });
    expect(viaRequestId.headers.get("x-correlation-id")).toBe("client-req-8");
    const fresh = await gateway.post({ text: TEXT }, { prefer: "respond-async" });
    expect(fresh.headers.get("x-correlation-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect((await storedAccepted(3)).correlation_id).toBe(fresh.headers.get("x-correlation-id"));
  });

  it("logs the request's lines with its correlation id and request id, and never the webhook secret", async () => {
    const { logger, lines } = capturingLogger();
    const gateway = await gatewayWith({ logger });
    const res = await gateway.post(
      { text: TEXT, webhook_url: "https://receiver.example/hook", webhook_secret: SECRET },
      { "x-correlation-id": "corr-logged" },
    );
    const { request_id } = RequestView.parse(await res.json());
    const mine = lines().filter((l) => l.correlation_id === "corr-logged");
    expect(mine.map((l) => l.msg)).toEqual(expect.arrayContaining(["request accepted", "request"]));
    for (const line of mine) expect(line.request_id).toBe(request_id);
    expect(JSON.stringify(lines())).not.toContain(SECRET);
  });

  it("answers 503 Unavailable when NATS is down, and publishes nothing", async () => {
    const nc = await connectNats({ url: NATS_URL, name: "gateway-closed", logger: testLogger });
    const gateway = await gatewayWith({ nc });
    await nc.close();
    const res = await gateway.post({ text: TEXT });
    expect(res.status).toBe(503);
    expect(ErrorBody.parse(await res.json()).error).toBe("Unavailable");
    expect(await acceptedCount(env.nats)).toBe(0);
  });

  it("answers a waiting request with 202 when the gateway stops, and then refuses new connections", async () => {
    const gateway = await startTestGateway({ nats: env.nats, database });
    const pending = gateway.post({ text: TEXT });
    await eventually(async () => ((await acceptedCount(env.nats)) === 1 ? true : undefined));
    await gateway.stop();
    const res = await pending;
    expect(res.status).toBe(202);
    RequestView.parse(await res.json());
    await expect(fetch(`${gateway.url}/livez`)).rejects.toThrow();
  });
});
