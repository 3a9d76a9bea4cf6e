// The NATS configuration Chorus ships (deploy/nats/nats-server.conf) on a real nats-server:
// the whole pipeline runs on it, each service as its own user with the permissions given
// there (API keys, a webhook and its manual retry, an erasure, the events stream, an inbound webhook,
// the lag metrics and a rebuild of the read models included), without one permission violation beyond the stream creations that only the
// orchestrator may make; and a forged message is refused: an end event from the gateway, a
// task from the projector, anything a service does not publish itself.
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectNats } from "@chorus/platform";
import {
  bearer,
  createApiKey,
  eventually,
  isolatedDatabase,
  postProcess,
  spawnService,
  startService,
  startWebhookReceiver,
  stopCleanly,
  testLogger,
  untilReady,
  type IsolatedDatabase,
  type RunningService,
  type WebhookReceiver,
} from "@chorus/testing";
import type { RequestView } from "@chorus/contracts";
import { NATS_USERS, shippedNats, type NatsUser, type ShippedNats } from "./shipped-nats.fixtures.ts";

const TEXT = "Apple Inc. announced on Tuesday that Tim Cook will open a new research campus in Austin, Texas, at a cost of $1.2 billion.";
const WEBHOOK_KEY = randomBytes(32).toString("hex");
const WEBHOOK_SECRET = "permissions-receiver-secret-0123";
const INBOUND_SECRET = "inbound-shared-secret-0123456789";
const ADMIN_KEY = randomBytes(32).toString("base64url");

let nats: ShippedNats;
let db: IsolatedDatabase;
let receiver: WebhookReceiver;
let gateway: RunningService;
const services: RunningService[] = [];
/** The one request the pipeline ran, and the API key it ran with. */
let completed: RequestView;
let apiKey: string;

function envFor(user: NatsUser): Record<string, string> {
  return {
    ...nats.envOf(user),
    CHORUS_SUBJECT_PREFIX: "chorus",
    DATABASE_URL: db.url,
    LOG_LEVEL: "warn",
    AGENT_PROVIDER: "local",
    WEBHOOK_SECRET_KEY: WEBHOOK_KEY,
    WEBHOOK_ALLOW_PRIVATE: "true",
    CHORUS_AUTH: "required",
    CHORUS_ADMIN_KEY: ADMIN_KEY,
    WEBHOOK_INBOUND_SECRET: INBOUND_SECRET,
  };
}

beforeAll(async () => {
  nats = await shippedNats();
  db = await isolatedDatabase();
  receiver = await startWebhookReceiver();
  // The gateway first, on a server without streams: its user may not create them, so it
  // waits, not ready, until the orchestrator's user has.
  gateway = await spawnService("gateway", envFor("gateway"));
  services.push(gateway);
  await eventually(async () => {
    const body = await (await fetch(`${gateway.probesUrl}/readyz`)).text().catch(() => "");
    return body.includes("may not create it") ? true : undefined;
  });
  for (const name of ["orchestrator", "agents", "projector", "webhooks"] as const) services.push(await startService(name, envFor(name)));
  await untilReady(gateway);
});

afterAll(async () => {
  try {
    await stopCleanly(services);
  } finally {
    await receiver?.close();
    await nats?.cleanup();
    await db?.cleanup();
  }
});

/** Violations other than the streams' creation, which every user but the orchestrator's tries first and is refused. */
const unexpectedViolations = () => nats.violations().filter((line) => !/Publish Violation - User "\w+", Subject "\$JS\.API\.STREAM\.CREATE\.CHORUS_[A-Z]+"/.test(line));

describe("the pipeline, each service on its own NATS user", () => {
  it("runs a request through every agent, delivers its webhook and a manual retry, with no service refused anything", async () => {
    apiKey = (await createApiKey(gateway.url, ADMIN_KEY, { tenant: "acme", scopes: ["requests:write", "requests:read", "requests:erase", "webhooks:write"] })).key;
    // A POST that waits for the end, watching the request's events as they are published.
    const waited = await postProcess(gateway.url, { text: TEXT }, bearer(apiKey));
    expect(waited.status).toBe(200);
    expect(waited.body.status).toBe("completed");
    for (const agent of ["summarizer", "sentiment", "entity_extractor"] as const) expect(waited.body.results[agent]?.status, agent).toBe("completed");

    // One with a webhook, answered at once.
    const { status, body } = await postProcess(gateway.url, { text: TEXT, webhook_url: receiver.url, webhook_secret: WEBHOOK_SECRET }, bearer(apiKey));
    expect(status).toBe(202);
    // The webhook service's delivery, signed with the request's secret.
    const [delivery] = await eventually(() => (receiver.received.length > 0 ? receiver.received : undefined));
    expect(delivery?.headers["x-webhook-signature"]).toBe(createHmac("sha256", WEBHOOK_SECRET).update(delivery?.body ?? "").digest("hex"));
    expect(JSON.parse(delivery?.body ?? "{}")).toMatchObject({ request_id: body.request_id, status: "completed" });
    // The projector's read model.
    completed = await eventually(async () => {
      const res = await fetch(`${gateway.url}/api/v1/results/${body.request_id}`, { headers: bearer(apiKey) });
      const view = res.status === 200 ? ((await res.json()) as RequestView) : undefined;
      return view?.status === "completed" ? view : undefined;
    });
    // The gateway's ordered consumer over the request's events.
    const sse = await fetch(`${gateway.url}/api/v1/results/${body.request_id}/events`, { headers: bearer(apiKey), signal: AbortSignal.timeout(10_000) });
    expect(sse.status).toBe(200);
    expect(await sse.text()).toContain("RequestCompleted");
    // A manual redelivery: the gateway's command, the webhook service's durable over them.
    await eventually(async () => {
      const res = await fetch(`${gateway.url}/api/v1/webhook/retry/${body.request_id}`, { method: "POST", headers: bearer(apiKey) });
      return res.status === 202 ? true : undefined;
    });
    await eventually(() => (receiver.received.length >= 2 ? true : undefined));
    // The agents' provider health, read by the gateway from the agents' bucket.
    const health = await fetch(`${gateway.url}/api/v1/health`);
    expect(health.status).toBe(200);
    // An erasure: the gateway's tombstone; the projector's erasure durable and its deletes from the events, tasks and dead-letter streams.
    const erased = await fetch(`${gateway.url}/api/v1/results/${waited.body.request_id}`, { method: "DELETE", headers: bearer(apiKey) });
    expect([200, 202], `${gateway.output()}\n${nats.violations().join("\n")}`).toContain(erased.status);
    expect((await fetch(`${gateway.url}/api/v1/results/${waited.body.request_id}`, { headers: bearer(apiKey) })).status).toBe(410);
    // Carried out by the projector's user: the erasure answers 200 once nothing but the tombstone is left.
    await eventually(async () => ((await fetch(`${gateway.url}/api/v1/results/${waited.body.request_id}`, { method: "DELETE", headers: bearer(apiKey) })).status === 200 ? true : undefined));

    expect(unexpectedViolations()).toEqual([]);
  });

  it("takes an inbound webhook, remembering its id so a replay is refused", async () => {
    const payload = JSON.stringify({ text: TEXT, orchestration_mode: "sequential" });
    const at = new Date();
    const id = `msg_${randomUUID()}`;
    const headers = {
      "content-type": "application/json",
      "webhook-id": id,
      "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
      "webhook-signature": new Webhook(`whsec_${Buffer.from(INBOUND_SECRET).toString("base64")}`).sign(id, at, payload),
    };
    const first = await fetch(`${gateway.url}/webhook/receive`, { method: "POST", headers, body: payload });
    expect(first.status).toBeLessThan(300);
    const replay = await fetch(`${gateway.url}/webhook/receive`, { method: "POST", headers, body: payload });
    expect(replay.status).toBeGreaterThanOrEqual(400);
    expect(unexpectedViolations()).toEqual([]);
  });

  it("reports every durable's lag on /metrics, from each service's own user", async () => {
    for (const service of services) {
      const res = await fetch(`${service.probesUrl}/metrics`);
      expect(res.status, service.name).toBe(200);
      expect(await res.text(), service.name).toMatch(/^chorus_consumer_lag_messages\{stream="CHORUS_TASKS",durable="agent-sentiment"[,}]/m);
    }
    expect(unexpectedViolations()).toEqual([]);
  });

  it("rebuilds the read models as the projector's user (npm run projector:rebuild)", async () => {
    const rebuild = await spawnService("projector-rebuild", envFor("projector"), { entry: "services/projector/src/rebuild.ts" });
    const code = rebuild.process.exitCode ?? (await new Promise<number | null>((resolve) => rebuild.process.once("exit", resolve)));
    expect(code, rebuild.output()).toBe(0);
    expect(unexpectedViolations()).toEqual([]);
  });
});

describe("what a service's credentials cannot do", () => {
  const refusal = /Permissions Violation for Publish/;

  it("the gateway cannot record the end of a request: a forged RequestCompleted is refused and the stream keeps the real one", async () => {
    const gatewayUser = await nats.connectAs("gateway");
    const reader = await nats.connectAs("orchestrator");
    const subject = `chorus.ev.request.${completed.request_id}.completed`;
    const real = await reader.jsm.streams.getMessage("CHORUS_EVENTS", { last_by_subj: subject });
    expect(real).not.toBeNull();
    // The real end with attacker-chosen results: what the webhook service would sign and send.
    const event = real?.json<{ data: Record<string, unknown> }>();
    const forged = { ...event, id: randomUUID(), data: { ...event?.data, results: { summarizer: { status: "completed", output: { summary: "attacker-chosen" } } } } };
    await expect(gatewayUser.js.publish(subject, JSON.stringify(forged), { msgID: `forged-${randomUUID()}` })).rejects.toThrow(refusal);
    expect((await reader.jsm.streams.getMessage("CHORUS_EVENTS", { last_by_subj: subject }))?.seq).toBe(real?.seq);
    // Nor can it take over a durable of another service to read or hold back its messages.
    await expect(gatewayUser.jsm.consumers.add("CHORUS_EVENTS", { durable_name: "projector", filter_subject: "chorus.ev.>" })).rejects.toThrow(refusal);
    // Among the server's violations (not necessarily the last: the services run on meanwhile).
    expect(nats.violations().filter((line) => line.includes('User "gateway", Subject "$JS.API.CONSUMER.CREATE.CHORUS_EVENTS.projector.chorus.ev.>"')).length, nats.violations().join("\n")).toBeGreaterThan(0);
  });

  it("an agent's durable over accepts takes no other filter, and only the agents pull from it", async () => {
    const agents = await nats.connectAs("agents");
    const gatewayUser = await nats.connectAs("gateway");
    // Made anew with a wider filter, it would read every agent's outputs and every webhook event.
    await expect(agents.jsm.consumers.add("CHORUS_EVENTS", { durable_name: "agent-summarizer-accepted", filter_subject: "chorus.ev.>" })).rejects.toThrow(refusal);
    await expect(gatewayUser.nc.request("$JS.API.CONSUMER.MSG.NEXT.CHORUS_EVENTS.agent-summarizer-accepted", JSON.stringify({ batch: 1, no_wait: true }), { timeout: 2_000 })).rejects.toThrow(refusal);
    await expect(agents.nc.request("$JS.API.CONSUMER.MSG.NEXT.CHORUS_EVENTS.orchestrator-accepted", JSON.stringify({ batch: 1, no_wait: true }), { timeout: 2_000 })).rejects.toThrow(refusal);
  });

  it("the projector cannot hand an agent a task", async () => {
    const { js } = await nats.connectAs("projector");
    const { jsm } = await nats.connectAs("orchestrator");
    const before = (await jsm.streams.info("CHORUS_TASKS")).state.last_seq;
    const task = { id: randomUUID(), type: "AgentTask", version: 1, request_id: completed.request_id, tenant_id: "acme", occurred_at: new Date().toISOString(), correlation_id: "forged", data: { agent: "sentiment", text: TEXT } };
    await expect(js.publish("chorus.task.sentiment", JSON.stringify(task))).rejects.toThrow(refusal);
    expect((await jsm.streams.info("CHORUS_TASKS")).state.last_seq).toBe(before);
  });

  it.each([
    ["gateway", "an agent's outcome", (id: string) => `chorus.ev.request.${id}.agent.sentiment.completed`],
    ["gateway", "a task", () => "chorus.task.summarizer"],
    ["gateway", "a webhook delivery", (id: string) => `chorus.ev.request.${id}.webhook.delivered`],
    ["projector", "an accepted request", (id: string) => `chorus.ev.request.${id}.accepted`],
    ["projector", "a dead letter of the tasks", () => "chorus.dlq.chorus.task.sentiment"],
    ["agents", "a request's end", (id: string) => `chorus.ev.request.${id}.failed`],
    ["agents", "a dispatch", (id: string) => `chorus.ev.request.${id}.agent.sentiment.dispatched`],
    ["webhooks", "a request's end", (id: string) => `chorus.ev.request.${id}.completed`],
    ["webhooks", "an API key", () => "chorus.keys.key_0123456789abcdef.created"],
    ["orchestrator", "a webhook delivery", (id: string) => `chorus.ev.request.${id}.webhook.delivered`],
    ["orchestrator", "an agent's completion", (id: string) => `chorus.ev.request.${id}.agent.summarizer.completed`],
  ] as const)("%s may not publish %s", async (user, _, subjectOf) => {
    const { js } = await nats.connectAs(user);
    await expect(js.publish(subjectOf(randomUUID()), "{}")).rejects.toThrow(refusal);
  });

  it("a plain publish or subscription outside a user's permissions is a permissions violation", async () => {
    const { nc } = await nats.connectAs("agents");
    const errors: string[] = [];
    void (async () => {
      for await (const s of nc.status()) if (s.type === "error") errors.push(s.error.message);
    })();
    nc.publish(`chorus.ev.request.${randomUUID()}.completed`, "{}");
    // Reading every event, or another service's replies, is refused too.
    const everything = nc.subscribe("chorus.ev.>");
    const replies = nc.subscribe("_INBOX.gateway.>");
    await eventually(() => (errors.length >= 3 ? true : undefined), 5_000);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/Permissions Violation for Publish to "chorus\.ev\.request\.[0-9a-f-]+\.completed"/),
        'Permissions Violation for Subscription to "chorus.ev.>"',
        'Permissions Violation for Subscription to "_INBOX.gateway.>"',
      ]),
    );
    expect(await everything.closed).toBeInstanceOf(Error);
    expect(await replies.closed).toBeInstanceOf(Error);
  });

  it("a service whose NATS password file cannot be read stops at start (exit 78), naming the variable and no secret", async () => {
    const { NATS_PASSWORD: _, ...env } = envFor("orchestrator");
    const service = await spawnService("orchestrator", { ...env, NATS_PASSWORD_FILE: "/nonexistent/nats-password" });
    const code = service.process.exitCode ?? (await new Promise<number | null>((resolve) => service.process.once("exit", resolve)));
    expect(code, service.output()).toBe(78);
    expect(service.output()).toContain("NATS_PASSWORD_FILE: cannot read /nonexistent/nats-password (ENOENT)");
    // Nor has any service written a NATS password in its logs.
    for (const user of NATS_USERS) for (const s of [service, ...services]) expect(s.output()).not.toContain(nats.envOf(user).NATS_PASSWORD);
  });

  it("a connection without a user, or with another user's password, is turned away", async () => {
    await expect(connectNats({ url: nats.url, name: "test-anonymous", logger: testLogger })).rejects.toThrow(/Authorization/i);
    const wrong = { user: "orchestrator", pass: nats.envOf("projector").NATS_PASSWORD, inboxPrefix: "_INBOX.orchestrator" };
    await expect(connectNats({ url: nats.url, name: "test-wrong", logger: testLogger, access: wrong })).rejects.toThrow(/Authorization/i);
  });
});
