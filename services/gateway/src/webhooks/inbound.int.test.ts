import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Router } from "@koa/router";
import Koa from "koa";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { RequestAccepted } from "@chorus/contracts";
import { isolatedPerTest, testLogger } from "@chorus/testing";
import { WEBHOOK_TOLERANCE_SECONDS } from "@chorus/webhook-security";
import { acceptsDurable } from "../broker/accepts.ts";
import type { GatewaySettings } from "../deps.ts";
import { acceptedCount, startTestGateway, TEST_SETTINGS, TEST_WEBHOOK_KEYS, unreachableDatabase } from "../gateway.fixtures.ts";
import { errorResponses, requestContext } from "../http/middleware.ts";
import type { GatewayState } from "../http/state.ts";
import { acceptedWebhookIds } from "./accepted-ids.ts";
import { inboundWebhookRoute } from "./inbound-route.ts";
import { acceptedWebhookIdKey, acceptedWebhookIdsBucket } from "./inbound-replay.ts";

const TEXT = "Apple reported record earnings in Cupertino on Tuesday.";
const INBOUND_SECRET = "inbound-shared-secret-0123456789";
const BODY = JSON.stringify({ text: TEXT, orchestration_mode: "sequential" });
// The standardwebhooks library signs, so the gateway is checked against another implementation than its own.
const signer = new Webhook(`whsec_${Buffer.from(INBOUND_SECRET).toString("base64")}`);

const env = isolatedPerTest({ nats: true });

/** Standard Webhooks headers of one delivery, signed at `at`. */
function signed(id: string, { at = new Date(), payload = BODY, by = signer } = {}): Record<string, string> {
  return { "webhook-id": id, "webhook-timestamp": String(Math.floor(at.getTime() / 1000)), "webhook-signature": by.sign(id, at, payload) };
}

const legacy = (payload = BODY) => ({ "x-webhook-signature": createHmac("sha256", INBOUND_SECRET).update(payload).digest("hex") });

const receive = (url: string, headers: Record<string, string>, payload = BODY) =>
  fetch(`${url}/webhook/receive`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: payload });

/** A gateway replica on this test's NATS; Postgres plays no part in receiving. */
async function replica(settings: Partial<GatewaySettings> = {}): Promise<string> {
  const database = unreachableDatabase();
  const gateway = await startTestGateway({ nats: env.nats, database, settings: { webhookInboundSecret: INBOUND_SECRET, ...settings } });
  env.defer(() => database.close());
  env.defer(() => gateway.stop());
  return gateway.url;
}

/**
 * The inbound route alone, for what the gateway's settings cannot say yet (the legacy
 * switch, until WEBHOOK_INBOUND_ALLOW_LEGACY is wired) and a broker a test takes down.
 */
async function routeAlone(options: { allowLegacySignature?: boolean; brokerUp?: () => boolean } = {}): Promise<string> {
  const { nc, js, jsm, topology } = env.nats;
  const router = new Router<GatewayState>();
  router.post(
    "/webhook/receive",
    inboundWebhookRoute(
      {
        nc,
        js,
        jsm,
        topology,
        broker: { isUp: options.brokerUp ?? (() => true) },
        ensureAccepts: acceptsDurable(jsm, topology),
        agentTimeoutMs: TEST_SETTINGS.agentTimeoutMs,
        webhookKeys: TEST_WEBHOOK_KEYS,
        acceptedIds: acceptedWebhookIds(js, topology, WEBHOOK_TOLERANCE_SECONDS),
      },
      {
        maxTextLength: TEST_SETTINGS.maxTextLength,
        maxBodyBytes: TEST_SETTINGS.maxBodyBytes,
        inboundSecret: INBOUND_SECRET,
        allowLegacySignature: options.allowLegacySignature ?? false,
        tenantId: TEST_SETTINGS.tenantId,
        clock: () => new Date(),
      },
    ),
  );
  const app = new Koa<GatewayState>();
  app.use(requestContext(testLogger));
  app.use(errorResponses({ maxBodyBytes: TEST_SETTINGS.maxBodyBytes }));
  app.use(router.routes());
  const server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  env.defer(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function recordedAccept(requestId: string) {
  const t = env.nats.topology;
  const msg = await env.nats.jsm.streams.getMessage(t.streams.events, { last_by_subj: t.subjects.requestEvent(requestId, "accepted") });
  return msg ? RequestAccepted.parse(msg.json()) : undefined;
}

describe("POST /webhook/receive: signatures", () => {
  it("starts a request signed with Standard Webhooks, answering 202 at once", async () => {
    const url = await replica();
    const res = await receive(url, signed("msg_inbound_1"));
    expect(res.status).toBe(202);
    const view = (await res.json()) as { request_id: string; orchestration_mode: string };
    expect(res.headers.get("location")).toBe(`/api/v1/results/${view.request_id}`);
    expect(await recordedAccept(view.request_id)).toMatchObject({ request_id: view.request_id, data: { text: TEXT, orchestration_mode: "sequential" } });
  });

  it("refuses a correct X-Webhook-Signature alone by default, naming the scheme it wants", async () => {
    const url = await replica();
    const res = await receive(url, legacy());
    expect(res.status).toBe(401);
    const answer = (await res.json()) as { error: string; message: string };
    expect(answer.error).toBe("Unauthorized");
    expect(answer.message).toContain("sign with Standard Webhooks");
    expect(await acceptedCount(env.nats)).toBe(0);
  });

  it("takes X-Webhook-Signature when the legacy scheme is allowed", async () => {
    const url = await routeAlone({ allowLegacySignature: true });
    const res = await receive(url, legacy());
    expect(res.status).toBe(202);
    expect(await acceptedCount(env.nats)).toBe(1);
    // Still no way round a bad signature.
    expect((await receive(url, legacy(BODY.replace("sequential", "parallel")))).status).toBe(401);
    expect(await acceptedCount(env.nats)).toBe(1);
  });

  it.each([
    ["another secret's signature", () => signed("msg_x", { by: new Webhook(`whsec_${Buffer.from("another-secret-0123456789").toString("base64")}`) })],
    ["no signature", () => ({})],
    ["a signature of another body", () => signed("msg_x", { payload: BODY.replace("sequential", "parallel") })],
    ["a timestamp older than the window", () => signed("msg_old", { at: new Date(Date.now() - (WEBHOOK_TOLERANCE_SECONDS + 60) * 1000) })],
    ["a timestamp later than the window", () => signed("msg_future", { at: new Date(Date.now() + (WEBHOOK_TOLERANCE_SECONDS + 60) * 1000) })],
  ])("refuses %s with a 401 and records nothing", async (_name, headers) => {
    const url = await replica();
    const res = await receive(url, headers());
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: "Unauthorized" });
    expect(await acceptedCount(env.nats)).toBe(0);
  });

  it("answers 503 when no inbound secret is configured", async () => {
    const url = await replica({ webhookInboundSecret: undefined });
    const res = await receive(url, signed("msg_unconfigured"));
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ message: "inbound webhooks are not configured: set WEBHOOK_INBOUND_SECRET on the gateway to accept them" });
  });
});

describe("POST /webhook/receive: replays", () => {
  it("refuses a webhook-id it has accepted, on every replica, and records one request", async () => {
    const [a, b] = [await replica(), await replica()];
    const delivery = signed("msg_once");
    expect((await receive(a, delivery)).status).toBe(202);
    for (const url of [a, b]) {
      const again = await receive(url, delivery);
      expect(again.status).toBe(401);
      expect(((await again.json()) as { message: string }).message).toContain("webhook-id was already accepted");
    }
    expect(await acceptedCount(env.nats)).toBe(1);
    // Remembered under its hash in the prefix's bucket, for longer than a timestamp stays acceptable.
    const bucket = await env.nats.jsm.streams.info(`KV_${acceptedWebhookIdsBucket(env.nats.topology)}`);
    expect(bucket.config.max_age).toBeGreaterThan(2 * WEBHOOK_TOLERANCE_SECONDS * 1e9);
    const key = `$KV.${acceptedWebhookIdsBucket(env.nats.topology)}.${acceptedWebhookIdKey("msg_once")}`;
    expect(bucket.state.messages).toBe(1);
    expect(await env.nats.jsm.streams.getMessage(bucket.config.name, { last_by_subj: key })).toBeTruthy();
  });

  it("accepts one of simultaneous deliveries of one webhook-id to two replicas", async () => {
    const [a, b] = [await replica(), await replica()];
    const delivery = signed("msg_raced");
    const statuses = await Promise.all([a, b, a, b, a, b].map(async (url) => (await receive(url, delivery)).status));
    expect(statuses.sort()).toEqual([202, 401, 401, 401, 401, 401]);
    expect(await acceptedCount(env.nats)).toBe(1);
  });

  it("takes the same body under a new webhook-id as a new request", async () => {
    const url = await replica();
    expect((await receive(url, signed("msg_first"))).status).toBe(202);
    expect((await receive(url, signed("msg_second"))).status).toBe(202);
    expect(await acceptedCount(env.nats)).toBe(2);
  });

  it("does not spend a webhook-id on a body that fails validation", async () => {
    const url = await replica();
    const invalid = JSON.stringify({ text: "" });
    expect((await receive(url, signed("msg_fixed", { payload: invalid }), invalid)).status).toBe(422);
    expect((await receive(url, signed("msg_fixed"))).status).toBe(202);
    expect(await acceptedCount(env.nats)).toBe(1);
  });

  it("forgets the webhook-id of a delivery it could not record, so the sender's retry is taken once", async () => {
    let up = false;
    const url = await routeAlone({ brokerUp: () => up });
    const delivery = signed("msg_retried");
    expect((await receive(url, delivery)).status).toBe(503);
    expect(await acceptedCount(env.nats)).toBe(0);
    up = true;
    expect((await receive(url, delivery)).status).toBe(202);
    expect((await receive(url, delivery)).status).toBe(401);
    expect(await acceptedCount(env.nats)).toBe(1);
  });

  it("refuses a legacy delivery's webhook-id the second time too, when the legacy scheme is allowed", async () => {
    const url = await routeAlone({ allowLegacySignature: true });
    const headers = { ...legacy(), "webhook-id": "msg_legacy" };
    expect((await receive(url, headers)).status).toBe(202);
    expect((await receive(url, headers)).status).toBe(401);
    expect(await acceptedCount(env.nats)).toBe(1);
  });
});
