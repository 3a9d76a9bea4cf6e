// The webhook service as a real process: its retries are scheduled in JetStream, so a
// SIGKILL between two attempts loses nothing, and a new process carries on with the
// next attempt number. Also the whole pipeline: a request with a webhook_url gets its
// result POSTed, signed, to a receiver on loopback, also by a webhook service whose
// keyring was rotated after the gateway sealed the request's secret.
import { createHmac, randomUUID } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { beforeAll, describe, expect, it } from "vitest";
import { messageIds } from "@chorus/contracts";
import { publishEvent } from "@chorus/platform";
import {
  completedEnd,
  eventually,
  isolatedPerFile,
  postProcess,
  recordedEventsOf,
  startService,
  startWebhookReceiver,
  stopCleanly,
  type ReceivedWebhook,
  type RunningService,
  type WebhookReceiver,
} from "@chorus/testing";
import { sealSecret, secretKeyOf, singleKeyRing } from "@chorus/webhook-security";

const KEY = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
/** The ring every process given WEBHOOK_SECRET_KEY=KEY has. */
const RING = singleKeyRing(secretKeyOf(KEY));
/** The key a rotation adds in front of KEY. */
const NEXT_KEY = "9aMZRvV4q71WOHj+HipN0/7EcGpR6fqmVP8FFcuJjZY=";
const SECRET = "e2e-receiver-secret-0123456789";

const isolated = isolatedPerFile({ nats: true, database: true });
let receiver: WebhookReceiver;
/** The processes still running, each to exit cleanly on SIGTERM at the end. */
const services: RunningService[] = [];

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  isolated.defer(() => receiver.close());
  isolated.defer(() => stopCleanly(services));
});

function env(extra: Record<string, string> = {}) {
  return { ...isolated.nats.env, DATABASE_URL: isolated.db.url, LOG_LEVEL: "warn", AGENT_PROVIDER: "local", WEBHOOK_SECRET_KEY: KEY, WEBHOOK_ALLOW_PRIVATE: "true", ...extra };
}

async function start(name: string, extra: Record<string, string> = {}) {
  const s = await startService(name, env(extra));
  services.push(s);
  return s;
}

const eventsOf = (requestId: string) => recordedEventsOf(isolated.nats, requestId);

function expectSigned(r: ReceivedWebhook) {
  expect(r.headers["x-webhook-signature"]).toBe(createHmac("sha256", SECRET).update(r.body).digest("hex"));
  const verifier = new Webhook(`whsec_${Buffer.from(SECRET).toString("base64")}`);
  const h = (n: string) => String(r.headers[n]);
  expect(verifier.verify(r.body, { "webhook-id": h("webhook-id"), "webhook-timestamp": h("webhook-timestamp"), "webhook-signature": h("webhook-signature") })).toEqual(JSON.parse(r.body));
}

const postsFor = (requestId: string) => receiver.received.filter((r) => (JSON.parse(r.body) as { request_id: string }).request_id === requestId);

describe("webhooks service process", () => {
  it("refuses to start in production without WEBHOOK_SECRET_KEY, saying so", async () => {
    await expect(startService("webhooks", { ...isolated.nats.env, NODE_ENV: "production" })).rejects.toThrow(/WEBHOOK_SECRET_KEY: is required in production/);
  });

  it("survives a SIGKILL between attempts: a new process delivers, and attempt numbers carry on", async () => {
    const webhooks = await start("webhooks", { WEBHOOK_RETRY_SCHEDULE: "1s,2s,4s,8s,16s", WEBHOOK_TIMEOUT: "2", WEBHOOK_MAX_RETRIES: "5" });
    const requestId = randomUUID();
    const url = `${receiver.url}/kill`;
    const end = completedEnd({ url, secret: sealSecret(RING, SECRET, { requestId, tenantId: "default", url }) }, { requestId, correlationId: "e2e-kill" });
    // Down for the first three attempts.
    receiver.enqueue({ status: 503 }, { status: 500 }, { status: 502 });
    // Attempt 1 is recorded, and its retry scheduled: kill the process at once, before attempt 2.
    const attempted = isolated.nats.nc.subscribe(isolated.nats.topology.subjects.requestEvent(requestId, "webhook.attempted"), { max: 1 });
    await publishEvent(isolated.nats.js, isolated.nats.topology, end, { msgID: messageIds.end(requestId) });
    for await (const _ of attempted) break;
    // The retry is a nak sent right after that event is stored; attempt 2 is due >= 800 ms
    // later. Killing 300 ms in lands between the two (earlier, the message would wait out
    // its ack_wait instead of its backoff; either way nothing is lost).
    await new Promise((r) => setTimeout(r, 300));
    await webhooks.stop("SIGKILL");
    services.splice(services.indexOf(webhooks), 1);
    await start("webhooks", { WEBHOOK_RETRY_SCHEDULE: "1s,2s,4s,8s,16s", WEBHOOK_TIMEOUT: "2", WEBHOOK_MAX_RETRIES: "5" });

    const events = await eventually(async () => {
      const all = await eventsOf(requestId);
      return all.some((e) => e.type === "WebhookDelivered") ? all : undefined;
    }, 90_000, 200);
    const attempts = events.flatMap((e) => (e.type === "WebhookAttempted" ? [e.data] : []));
    expect(attempts.map((a) => [a.attempt, a.status_code])).toEqual([
      [1, 503],
      [2, 500],
      [3, 502],
      [4, 204],
    ]);
    expect(events.at(-1)).toMatchObject({ type: "WebhookDelivered", data: { attempt: 4, status_code: 204 } });
    const posts = postsFor(requestId);
    expect(posts).toHaveLength(4);
    for (const p of posts) expectSigned(p);
    expect(new Set(posts.map((p) => p.headers["webhook-id"])).size).toBe(1);

    // The observed retry timeline, for the report.
    const t0 = posts[0]?.at ?? 0;
    const timeline = posts.map((p, i) => `attempt ${i + 1}: +${((p.at - t0) / 1000).toFixed(2)} s -> ${String(p.answered)}`);
    const planned = attempts.map((a) => `attempt ${a.attempt}: next_attempt_at ${a.next_attempt_at ?? "-"}`);
    console.log(`webhook retry timeline (base 1000 ms, killed after attempt 1):\n${timeline.join("\n")}\n${planned.join("\n")}`);
  });
});

describe("the pipeline with a webhook", () => {
  let gateway: RunningService;

  beforeAll(async () => {
    for (const name of ["orchestrator", "agents", "projector", "webhooks"]) await start(name);
    gateway = await start("gateway");
  });

  it("POSTs a parallel request's result once, signed; the delivery log lists it, and a manual retry resends it", async () => {
    const submitted = await postProcess(gateway.url, {
      text: "Apple Inc. announced on Tuesday that Tim Cook will open a research campus in Austin, Texas. Analysts were pleased.",
      orchestration_mode: "parallel",
      webhook_url: `${receiver.url}/pipeline`,
      webhook_secret: SECRET,
    });
    expect(submitted.status).toBe(202);
    const requestId = submitted.body.request_id;

    const [post] = await eventually(() => (postsFor(requestId).length > 0 ? postsFor(requestId) : undefined), 60_000);
    if (!post) throw new Error("no webhook received");
    expectSigned(post);
    const payload = JSON.parse(post.body) as { event: string; status: string; results: Record<string, { status: string }> };
    expect(payload).toMatchObject({ event: "request.completed", request_id: requestId, status: "completed" });
    expect(Object.keys(payload.results).sort()).toEqual(["entity_extractor", "sentiment", "summarizer"]);
    expect(post.body).not.toContain(SECRET);

    const logs = await eventually(async () => {
      const body = (await (await fetch(`${gateway.url}/api/v1/webhook-logs/${requestId}`)).json()) as { attempts: { attempt: number; status_code: number }[] };
      return body.attempts.length === 1 ? body : undefined;
    });
    expect(logs.attempts[0]).toMatchObject({ attempt: 1, status_code: 204, webhook_id: post.headers["webhook-id"] });
    const view = await eventually(async () => {
      const v = (await (await fetch(`${gateway.url}/api/v1/results/${requestId}`)).json()) as { webhook: { status: string } | null };
      return v.webhook?.status === "delivered" ? v : undefined;
    });
    expect(JSON.stringify(view)).not.toContain(SECRET);

    const retry = await fetch(`${gateway.url}/api/v1/webhook/retry/${requestId}`, { method: "POST" });
    expect(retry.status).toBe(202);
    const posts = await eventually(() => (postsFor(requestId).length === 2 ? postsFor(requestId) : undefined));
    expectSigned(posts[1] as ReceivedWebhook);
    expect(posts[1]?.headers["webhook-id"]).toBe(post.headers["webhook-id"]);
    expect(posts[1]?.body).toBe(post.body);
  });

  it("after a keyring rotation, a webhook service on the new ring delivers what the gateway sealed with the old key, signed with its secret", async () => {
    // No webhook service runs while the request ends: only the rotated one can deliver it.
    for (const s of services.filter((s) => s.name === "webhooks")) {
      expect(await s.stop()).toBe(0);
      services.splice(services.indexOf(s), 1);
    }
    const submitted = await postProcess(gateway.url, { text: "The museum reopened on Sunday after a long renovation.", agents: ["sentiment"], webhook_url: `${receiver.url}/rotated`, webhook_secret: SECRET });
    expect(submitted.status).toBe(202);
    const requestId = submitted.body.request_id;
    const events = await eventually(async () => {
      const all = await eventsOf(requestId);
      return all.some((e) => e.type === "RequestCompleted") ? all : undefined;
    });
    const accepted = events.find((e) => e.type === "RequestAccepted");
    expect(accepted?.type === "RequestAccepted" && accepted.data.webhook?.secret).toMatch(new RegExp(`^v2\\.${RING.current.id}\\.`));

    // The old key moves into the ring under a name of its own, behind the new current key.
    await start("webhooks", { WEBHOOK_SECRET_KEY: "", WEBHOOK_SECRET_KEYS: `next:${NEXT_KEY},first:${KEY}` });
    const outcome = await eventually(async () => (await eventsOf(requestId)).find((e) => e.type === "WebhookDelivered" || e.type === "WebhookExhausted"), 60_000);
    expect(outcome).toMatchObject({ type: "WebhookDelivered" });
    const [post] = postsFor(requestId);
    if (!post) throw new Error("no webhook received");
    expectSigned(post);
  });
});
