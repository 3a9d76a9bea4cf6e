import { createHmac, randomUUID } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { beforeEach, describe, expect, it } from "vitest";
import type { ChorusEvent } from "@chorus/contracts";
import { AckPolicy, isWrongLastSequence, publishEvent } from "@chorus/platform";
import { completedEnd, eventually, isolatedPerTest, recordedEventsOf, startWebhookReceiver, untilQuiet, type ReceivedWebhook, type WebhookReceiver } from "@chorus/testing";
import { keyringOf, secretKeyOf } from "@chorus/webhook-security";
import { DURABLES, LAST_RESORT_DELIVERIES } from "./durables.ts";
import { RECEIVER_SECRET, endEvent, publishEnd, publishRedelivery, redeliveryBasis, sealedBeforeKeyIds, startTestWebhooks, webhookEvents } from "./webhooks.fixtures.ts";

const env = isolatedPerTest({ nats: true });
let receiver: WebhookReceiver;

beforeEach(async () => {
  receiver = await startWebhookReceiver();
  env.defer(() => receiver.close());
});

async function start(overrides: Parameters<typeof startTestWebhooks>[1] = {}) {
  const w = await startTestWebhooks(env.nats, overrides);
  env.defer(() => w.stop());
  return w;
}

const header = (r: ReceivedWebhook, name: string) => String(r.headers[name]);

/** Verifies both schemes independently of the service's code. */
function expectSigned(r: ReceivedWebhook, secret = RECEIVER_SECRET) {
  expect(header(r, "x-webhook-signature")).toBe(createHmac("sha256", secret).update(r.body).digest("hex"));
  const verifier = new Webhook(`whsec_${Buffer.from(secret).toString("base64")}`);
  const headers = { "webhook-id": header(r, "webhook-id"), "webhook-timestamp": header(r, "webhook-timestamp"), "webhook-signature": header(r, "webhook-signature") };
  expect(verifier.verify(r.body, headers)).toEqual(JSON.parse(r.body));
}

async function finished(requestId: string) {
  return eventually(async () => {
    const events = webhookEvents(await recordedEventsOf(env.nats, requestId));
    return events.some((e) => e.type === "WebhookDelivered" || e.type === "WebhookExhausted") ? events : undefined;
  });
}

const attemptsOf = (events: ChorusEvent[]) => events.flatMap((e) => (e.type === "WebhookAttempted" ? [e.data] : []));

describe("webhook delivery", () => {
  it("POSTs the result once, signed with both schemes, and records the attempt and the delivery", async () => {
    await start();
    const end = endEvent(receiver.url);
    await publishEnd(env.nats, end);
    const events = await finished(end.request_id);

    expect(receiver.received).toHaveLength(1);
    const [got] = receiver.received;
    if (!got) throw new Error("no webhook received");
    expectSigned(got);
    expect(JSON.parse(got.body)).toEqual({
      event: "request.completed",
      request_id: end.request_id,
      status: "completed",
      results: end.data.results,
      created_at: end.data.created_at,
      completed_at: end.occurred_at,
    });
    expect(events.map((e) => e.type)).toEqual(["WebhookAttempted", "WebhookDelivered"]);
    expect(attemptsOf(events)).toEqual([{ webhook_id: header(got, "webhook-id"), attempt: 1, url: receiver.url, status_code: 204, duration_ms: expect.any(Number), error: null, next_attempt_at: null }]);
    expect(events[1]?.data).toEqual({ webhook_id: header(got, "webhook-id"), attempt: 1, status_code: 204 });
  });

  it("sends nothing and records nothing for a request erased before its webhook went out", async () => {
    const end = endEvent(receiver.url);
    const at = new Date().toISOString();
    await publishEvent(env.nats.js, env.nats.topology, {
      id: randomUUID(),
      type: "RequestErased",
      version: 1,
      request_id: end.request_id,
      tenant_id: end.tenant_id,
      occurred_at: at,
      correlation_id: "corr-erase",
      data: { erased_by_key: null, status: "completed", orchestration_mode: "parallel", agents: ["sentiment"], created_at: at, completed_at: at, erased_events: 1 },
    }, { msgID: `${end.request_id}:erased` });
    const { seq } = await publishEnd(env.nats, end);
    await start();
    await untilQuiet(env.nats, env.nats.topology.streams.events, DURABLES.completed, seq);
    expect(receiver.received).toHaveLength(0);
    expect(webhookEvents(await recordedEventsOf(env.nats, end.request_id))).toEqual([]);
  });

  it("ends a chain whose circuit would keep it waiting past its deadline as exhausted (expired), its attempt made", async () => {
    receiver.respondWith({ status: 503 });
    // One failure opens the circuit for a minute; the chain may wait 2 s at most.
    await start({ policy: { maxRetries: 3, scheduleMs: [50], maxRetryAfterMs: 1_000, chainDeadlineMs: 2_000 }, circuit: { failures: 1, openMs: 60_000 } });
    const end = endEvent(receiver.url);
    await publishEnd(env.nats, end);
    const events = await finished(end.request_id);
    expect(receiver.received).toHaveLength(1);
    expect(events.map((e) => e.type)).toEqual(["WebhookAttempted", "WebhookExhausted"]);
    expect(events.at(-1)?.data).toMatchObject({ attempts: 1, cause: "expired" });
  });

  it("makes a chain's first attempt however late it comes (after an outage): the deadline bounds only circuit waits", async () => {
    await start({ policy: { maxRetries: 3, scheduleMs: [50], maxRetryAfterMs: 1_000, chainDeadlineMs: 1_000 } });
    const end = { ...endEvent(receiver.url), occurred_at: new Date(Date.now() - 60_000).toISOString() };
    await publishEnd(env.nats, end);
    const events = await finished(end.request_id);
    expect(receiver.received).toHaveLength(1);
    expect(events.map((e) => e.type)).toEqual(["WebhookAttempted", "WebhookDelivered"]);
  });

  it("delivers a failed request's end too", async () => {
    await start();
    const end = endEvent(receiver.url, { failed: true });
    await publishEnd(env.nats, end);
    await finished(end.request_id);
    expect(JSON.parse(receiver.received[0]?.body ?? "{}")).toMatchObject({ event: "request.failed", status: "failed" });
  });

  it("retries a receiver that fails twice, then succeeds, with the same webhook-id and rising attempt numbers", async () => {
    await start();
    receiver.enqueue({ status: 500 }, { status: 503, headers: { "retry-after": "0" } });
    const end = endEvent(receiver.url);
    await publishEnd(env.nats, end);
    const events = await finished(end.request_id);

    expect(receiver.received.map((r) => r.answered)).toEqual([500, 503, 204]);
    for (const r of receiver.received) expectSigned(r);
    expect(new Set(receiver.received.map((r) => header(r, "webhook-id"))).size).toBe(1);
    const attempts = attemptsOf(events);
    expect(attempts.map((a) => [a.attempt, a.status_code, a.error])).toEqual([
      [1, 500, "HTTP 500"],
      [2, 503, "HTTP 503"],
      [3, 204, null],
    ]);
    // The retry is due after the receiver had answered the first attempt.
    expect(Date.parse(attempts[0]?.next_attempt_at ?? "")).toBeGreaterThan(receiver.received[0]?.at ?? Infinity);
    expect(attempts[2]?.next_attempt_at).toBeNull();
    expect(events.at(-1)).toMatchObject({ type: "WebhookDelivered", data: { attempt: 3, status_code: 204 } });
  });

  it("gives up on a receiver that never answers after WEBHOOK_MAX_RETRIES retries, each a timeout", async () => {
    await start({ timeoutMs: 300, policy: { maxRetries: 2, scheduleMs: [20, 40], maxRetryAfterMs: 1000 } });
    receiver.respondWith({ status: 200, hang: true });
    const end = endEvent(receiver.url);
    await publishEnd(env.nats, end);
    const events = await finished(end.request_id);

    const attempts = attemptsOf(events);
    expect(attempts.map((a) => [a.attempt, a.status_code, a.error])).toEqual([
      [1, null, "no answer within 300 ms"],
      [2, null, "no answer within 300 ms"],
      [3, null, "no answer within 300 ms"],
    ]);
    expect(events.at(-1)).toMatchObject({ type: "WebhookExhausted", data: { attempts: 3, cause: "retries_used_up" } });
    expect(receiver.received).toHaveLength(3);
  });

  it("stops retrying at 410 Gone", async () => {
    await start();
    receiver.respondWith({ status: 410 });
    const end = endEvent(receiver.url);
    await publishEnd(env.nats, end);
    const events = await finished(end.request_id);
    expect(receiver.received).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: "WebhookExhausted", data: { attempts: 1, reason: "receiver answered 410 Gone" } });
  });

  it("does not follow a redirect: a 3xx is a failed attempt", async () => {
    await start({ policy: { maxRetries: 0, scheduleMs: [10], maxRetryAfterMs: 100 } });
    receiver.respondWith({ status: 302, headers: { location: "http://127.0.0.1:1/elsewhere" } });
    const end = endEvent(receiver.url);
    await publishEnd(env.nats, end);
    const events = await finished(end.request_id);
    expect(receiver.received).toHaveLength(1);
    expect(attemptsOf(events)[0]).toMatchObject({ status_code: 302, error: "HTTP 302 (redirects are not followed)" });
  });

  it("delivers once when the same end event reaches the service twice", async () => {
    await start();
    const end = endEvent(receiver.url);
    await publishEnd(env.nats, end);
    // Stored a second time, as if published again after the duplicate window.
    await publishEnd(env.nats, end, `${end.request_id}:end:again`);
    await finished(end.request_id);
    // Both copies handled (acked) before counting.
    await untilQuiet(env.nats, env.nats.topology.streams.events, DURABLES.completed, 2);

    expect(receiver.received.filter((r) => JSON.parse(r.body).request_id === end.request_id)).toHaveLength(1);
    expect(attemptsOf(webhookEvents(await recordedEventsOf(env.nats, end.request_id)))).toHaveLength(1);
  });

  it("with two replicas, sends each attempt once", async () => {
    await start();
    await start();
    const ends = Array.from({ length: 6 }, () => endEvent(receiver.url));
    // Every request's first attempt fails, so each is retried, possibly by the other replica.
    receiver.enqueue(...ends.map(() => ({ status: 500 })));
    for (const end of ends) await publishEnd(env.nats, end);
    for (const end of ends) await finished(end.request_id);

    for (const end of ends) {
      const posts = receiver.received.filter((r) => JSON.parse(r.body).request_id === end.request_id);
      const attempts = attemptsOf(webhookEvents(await recordedEventsOf(env.nats, end.request_id)));
      expect(attempts.map((a) => a.attempt)).toEqual(Array.from({ length: attempts.length }, (_, i) => i + 1));
      expect(posts).toHaveLength(attempts.length);
    }
    expect(receiver.received).toHaveLength(12);
  });

  it("redelivers on a RedeliverWebhook command with the same webhook-id, numbering the attempt on", async () => {
    await start();
    const end = endEvent(receiver.url);
    await publishEnd(env.nats, end);
    await finished(end.request_id);
    await publishRedelivery(env.nats, end);
    await eventually(() => (receiver.received.length === 2 ? true : undefined));
    const [first, second] = receiver.received;
    if (!first || !second) throw new Error("expected two deliveries");
    expectSigned(second);
    expect(header(second, "webhook-id")).toBe(header(first, "webhook-id"));
    expect(second.body).toBe(first.body);
    const events = await eventually(async () => {
      const all = webhookEvents(await recordedEventsOf(env.nats, end.request_id));
      return all.filter((e) => e.type === "WebhookDelivered").length === 2 ? all : undefined;
    });
    expect(events.map((e) => e.type)).toEqual(["WebhookAttempted", "WebhookDelivered", "WebhookAttempted", "WebhookDelivered"]);
    expect(attemptsOf(events).map((a) => a.attempt)).toEqual([1, 2]);
    expect(events.at(-1)).toMatchObject({ type: "WebhookDelivered", data: { attempt: 2 } });
  });

  it("refuses at delivery time a URL that resolves to a private address, without sending", async () => {
    await start({ allowPrivate: false });
    const end = endEvent(receiver.url.replace("127.0.0.1", "localhost"));
    await publishEnd(env.nats, end);
    const events = await finished(end.request_id);
    expect(receiver.received).toHaveLength(0);
    expect(attemptsOf(events)[0]).toMatchObject({ attempt: 1, status_code: null, error: expect.stringContaining("loopback") });
    expect(events.at(-1)).toMatchObject({ type: "WebhookExhausted", data: { attempts: 1, reason: expect.stringContaining("refused"), cause: "refused" } });
  });

  it("refuses at delivery time a port that is not allowed, without sending", async () => {
    const port = new URL(receiver.url).port;
    await start({ allowPrivate: false });
    // Refused on its text: the name is never looked up.
    const end = endEvent(receiver.url.replace("127.0.0.1", "receiver.invalid"));
    await publishEnd(env.nats, end);
    const events = await finished(end.request_id);
    expect(attemptsOf(events)[0]?.error).toContain(`port ${port} is not allowed for webhooks`);
    expect(events.at(-1)).toMatchObject({ type: "WebhookExhausted", data: { cause: "refused" } });
  });

  it("refuses at delivery time an internal address on a port the configuration allows, without sending", async () => {
    await start({ allowPrivate: false, allowedPorts: [Number(new URL(receiver.url).port)] });
    const end = endEvent(receiver.url);
    await publishEnd(env.nats, end);
    expect(attemptsOf(await finished(end.request_id))[0]?.error).toContain("127.0.0.1 (loopback address)");
    expect(receiver.received).toHaveLength(0);
  });

  it("calls a URL recorded with an upper-case scheme by its scheme instead of giving up on it", async () => {
    await start({ policy: { maxRetries: 0, scheduleMs: [20], maxRetryAfterMs: 100 } });
    const plain = endEvent(receiver.url.replace("http://", "HTTP://"));
    await publishEnd(env.nats, plain);
    expect((await finished(plain.request_id)).at(-1)).toMatchObject({ type: "WebhookDelivered" });
    expect(receiver.received).toHaveLength(1);
    // HTTPS:// is spoken over TLS (which this plain receiver cannot answer): an attempt, not a crash of the handler.
    const tls = endEvent(receiver.url.replace("http://", "HTTPS://"));
    await publishEnd(env.nats, tls);
    const events = await finished(tls.request_id);
    expect(attemptsOf(events)).toHaveLength(1);
    expect(attemptsOf(events)[0]?.error).not.toContain("Protocol");
    expect(events.at(-1)).toMatchObject({ type: "WebhookExhausted" });
  });

  it("never puts the secret in plain text into an event", async () => {
    await start();
    receiver.enqueue({ status: 500 });
    const end = endEvent(receiver.url);
    await publishEnd(env.nats, end);
    await finished(end.request_id);
    const all = JSON.stringify(await recordedEventsOf(env.nats, end.request_id));
    expect(all).toContain("WebhookDelivered");
    expect(all).not.toContain(RECEIVER_SECRET);
  });
});

describe("delivery chains: one at a time, attempts numbered per request", () => {
  const policy = { maxRetries: 2, scheduleMs: [20, 40], maxRetryAfterMs: 5_000 };
  const postsFor = (requestId: string) => receiver.received.filter((r) => (JSON.parse(r.body) as { request_id: string }).request_id === requestId);
  const outcomes = (events: ChorusEvent[]) => events.filter((e) => e.type === "WebhookDelivered" || e.type === "WebhookExhausted").length;
  const chainsEnded = (requestId: string, count: number) =>
    eventually(async () => {
      const events = webhookEvents(await recordedEventsOf(env.nats, requestId));
      return outcomes(events) >= count ? events : undefined;
    });

  it("numbers a redelivery after the chain gave up on from the last attempt, with a budget of its own, and delivers once the receiver recovers", async () => {
    await start({ policy });
    receiver.enqueue({ status: 500 }, { status: 500 }, { status: 500 }, { status: 502 }, { status: 503 });
    const end = endEvent(receiver.url);
    await publishEnd(env.nats, end);
    const first = await chainsEnded(end.request_id, 1);
    expect(first.at(-1)).toMatchObject({ type: "WebhookExhausted", data: { attempts: 3, cause: "retries_used_up" } });

    await publishRedelivery(env.nats, end);
    const events = await chainsEnded(end.request_id, 2);
    expect(attemptsOf(events).map((a) => [a.attempt, a.status_code])).toEqual([
      [1, 500],
      [2, 500],
      [3, 500],
      [4, 502],
      [5, 503],
      [6, 204],
    ]);
    expect(events.at(-1)).toMatchObject({ type: "WebhookDelivered", data: { attempt: 6, status_code: 204 } });
    const posts = postsFor(end.request_id);
    expect(posts).toHaveLength(6);
    expect(new Set(posts.map((p) => header(p, "webhook-id"))).size).toBe(1);
  });

  it("takes only one of two redeliveries asked for at once, and another once that chain has ended", async () => {
    await start({ policy });
    const end = endEvent(receiver.url);
    await publishEnd(env.nats, end);
    await chainsEnded(end.request_id, 1);

    const asked = await Promise.allSettled([publishRedelivery(env.nats, end), publishRedelivery(env.nats, end)]);
    expect(asked.filter((a) => a.status === "fulfilled")).toHaveLength(1);
    const refused = asked.find((a) => a.status === "rejected");
    expect(isWrongLastSequence(refused?.status === "rejected" ? refused.reason : undefined)).toBe(true);
    await chainsEnded(end.request_id, 2);

    // The finished chain's command has left the stream: the next redelivery is taken.
    await eventually(async () => (await publishRedelivery(env.nats, end).then(() => true).catch((err: unknown) => (isWrongLastSequence(err) ? undefined : Promise.reject(err)))));
    const events = await chainsEnded(end.request_id, 3);
    expect(attemptsOf(events).map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(events.map((e) => e.type)).toEqual(["WebhookAttempted", "WebhookDelivered", "WebhookAttempted", "WebhookDelivered", "WebhookAttempted", "WebhookDelivered"]);
    expect(postsFor(end.request_id)).toHaveLength(3);
  });

  it("sends nothing for a redelivery decided on facts that another chain has since ended", async () => {
    await start({ policy });
    const end = endEvent(receiver.url);
    await publishEnd(env.nats, end);
    await chainsEnded(end.request_id, 1);
    const stale = await redeliveryBasis(env.nats, end);
    await publishRedelivery(env.nats, end, { decidedOn: stale });
    await chainsEnded(end.request_id, 2);

    // Its command has left the stream, so this one is stored; but a chain ended after what it was decided on.
    await eventually(async () => (await publishRedelivery(env.nats, end, { decidedOn: stale }).then(() => true).catch((err: unknown) => (isWrongLastSequence(err) ? undefined : Promise.reject(err)))));
    await untilQuiet(env.nats, env.nats.topology.streams.commands, DURABLES.redeliver);
    expect(attemptsOf(webhookEvents(await recordedEventsOf(env.nats, end.request_id))).map((a) => a.attempt)).toEqual([1, 2]);
    expect(postsFor(end.request_id)).toHaveLength(2);
  });

  it("makes the redelivery durable anew when it still filters the single subject of an older version", async () => {
    const t = env.nats.topology;
    await env.nats.jsm.consumers.add(t.streams.commands, { durable_name: DURABLES.redeliver, ack_policy: AckPolicy.Explicit, filter_subject: `${t.prefix}.cmd.webhook-redeliver` });
    await start({ policy });
    expect((await env.nats.jsm.consumers.info(t.streams.commands, DURABLES.redeliver)).config.filter_subject).toBe(t.subjects.webhookRedelivers);
    const end = endEvent(receiver.url);
    await publishEnd(env.nats, end);
    await chainsEnded(end.request_id, 1);
    await publishRedelivery(env.nats, end);
    expect(attemptsOf(await chainsEnded(end.request_id, 2)).map((a) => a.attempt)).toEqual([1, 2]);
  });

  it("raises the delivery limit of durables an earlier version made far above what waiting for a circuit can use", async () => {
    const t = env.nats.topology;
    await env.nats.jsm.consumers.add(t.streams.events, { durable_name: DURABLES.completed, ack_policy: AckPolicy.Explicit, filter_subject: t.subjects.requestEnds("completed"), max_deliver: 9 });
    await start({ policy });
    expect((await env.nats.jsm.consumers.info(t.streams.events, DURABLES.completed)).config.max_deliver).toBe(LAST_RESORT_DELIVERIES);
  });

  it("stands the end's chain down when a redelivery took it over, so only one chain sends", async () => {
    await start({ policy });
    // The end's retry is due in 2 s; the redelivery's first answer asks for 3 s, so its
    // command is still pending when the end's chain comes back.
    receiver.enqueue({ status: 503, headers: { "retry-after": "2" } }, { status: 503, headers: { "retry-after": "3" } });
    const end = endEvent(receiver.url);
    const attempted = env.nats.nc.subscribe(env.nats.topology.subjects.requestEvent(end.request_id, "webhook.attempted"), { max: 1 });
    await publishEnd(env.nats, end);
    for await (const _ of attempted) break;
    await publishRedelivery(env.nats, end);

    const events = await chainsEnded(end.request_id, 1);
    await untilQuiet(env.nats, env.nats.topology.streams.events, DURABLES.completed);
    expect(attemptsOf(events).map((a) => [a.attempt, a.status_code])).toEqual([
      [1, 503],
      [2, 503],
      [3, 204],
    ]);
    expect(events.at(-1)).toMatchObject({ type: "WebhookDelivered", data: { attempt: 3 } });
    expect(postsFor(end.request_id)).toHaveLength(3);
    expect(webhookEvents(await recordedEventsOf(env.nats, end.request_id))).toHaveLength(events.length);
  });
});

describe("a keyring rotation", () => {
  const k1 = { id: "k1", key: secretKeyOf("Hjp1uUQbEEA7vTK1HjQ0bdZWGzWNUcDcN3ZCSPk2XIk=") };
  const k2 = { id: "k2", key: secretKeyOf("9aMZRvV4q71WOHj+HipN0/7EcGpR6fqmVP8FFcuJjZY=") };
  const beforeRotation = keyringOf([k1]);
  const afterRotation = keyringOf([k2, k1]);

  it("delivers a request sealed before the rotation, signed with its own secret, by a service on the rotated ring", async () => {
    await start({ keyring: afterRotation });
    const end = endEvent(receiver.url, { keyring: beforeRotation });
    expect(end.data.webhook?.secret).toMatch(/^v2\.k1\./);
    await publishEnd(env.nats, end);
    const events = await finished(end.request_id);
    expect(events.at(-1)).toMatchObject({ type: "WebhookDelivered" });
    expect(receiver.received).toHaveLength(1);
    expectSigned(receiver.received[0]!);
  });

  it("delivers a request sealed before key ids existed, found by trying each key of the ring", async () => {
    await start({ keyring: afterRotation });
    const end = completedEnd({ url: receiver.url, secret: sealedBeforeKeyIds(k1.key, RECEIVER_SECRET) });
    await publishEnd(env.nats, end);
    expect((await finished(end.request_id)).at(-1)).toMatchObject({ type: "WebhookDelivered" });
    expectSigned(receiver.received[0]!);
  });

  it("gives up at once, naming the key, when the ring no longer holds the key that sealed, and sends nothing", async () => {
    await start({ keyring: keyringOf([k2]) });
    const end = endEvent(receiver.url, { keyring: beforeRotation });
    await publishEnd(env.nats, end);
    const events = await finished(end.request_id);
    expect(events).toEqual([expect.objectContaining({ type: "WebhookExhausted", data: expect.objectContaining({ attempts: 0, cause: "secret_unusable" }) })]);
    expect(events[0]?.data).toMatchObject({ reason: expect.stringContaining('sealed with key "k1", which is not in the keyring (k2)') });
    expect(receiver.received).toHaveLength(0);
  });

  it("does not sign with a sealed secret copied onto another request's end: a forged end gets no webhook signed with a victim's secret", async () => {
    await start({ keyring: afterRotation });
    const victim = endEvent(`${receiver.url}/victim`, { keyring: afterRotation });
    const forged = completedEnd({ url: `${receiver.url}/attacker`, secret: victim.data.webhook!.secret });
    await publishEnd(env.nats, forged);
    const events = await finished(forged.request_id);
    expect(events).toEqual([expect.objectContaining({ type: "WebhookExhausted", data: expect.objectContaining({ cause: "secret_unusable" }) })]);
    expect(receiver.received).toHaveLength(0);
  });

  it("does not sign with a request's sealed secret on a forged end of the same request that sends elsewhere", async () => {
    await start({ keyring: afterRotation });
    const victim = endEvent(`${receiver.url}/victim`, { keyring: afterRotation });
    const forged = completedEnd({ url: `${receiver.url}/attacker`, secret: victim.data.webhook!.secret }, { requestId: victim.request_id, tenantId: victim.tenant_id });
    await publishEnd(env.nats, forged);
    const events = await finished(forged.request_id);
    expect(events).toEqual([expect.objectContaining({ type: "WebhookExhausted", data: expect.objectContaining({ cause: "secret_unusable" }) })]);
    expect(receiver.received).toHaveLength(0);
  });
});
