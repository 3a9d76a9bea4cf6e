// POST /api/v1/webhook/retry/:request_id decides on the event stream: refused with a 409
// while the request's delivery chain is still due, a RedeliverWebhook numbered on from the
// chain before once it has ended, and of two retries at once on two gateways, one taken.
// The webhook facts are recorded here as the webhook service records them.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { RedeliverWebhook, messageIds, type ChorusEvent, type EventOf, type RequestEndEvent } from "@chorus/contracts";
import { publishEvent, publishValidated } from "@chorus/platform";
import { completedEnd, isolatedPerTest } from "@chorus/testing";
import { sealSecret } from "@chorus/webhook-security";
import { TEST_WEBHOOK_KEYS, startTestGateway, unreachableDatabase } from "../gateway.fixtures.ts";

type TestGateway = Awaited<ReturnType<typeof startTestGateway>>;

const env = isolatedPerTest({ nats: true });

async function startGateway(): Promise<TestGateway> {
  const database = unreachableDatabase();
  const gateway = await startTestGateway({ nats: env.nats, database });
  env.defer(() => database.close());
  env.defer(() => gateway.stop());
  return gateway;
}

const retry = (gateway: TestGateway, requestId: string) => fetch(`${gateway.url}/api/v1/webhook/retry/${requestId}`, { method: "POST" });


/** Records a webhook fact of the request as the webhook service does; its stream sequence. */
async function record(end: RequestEndEvent, fact: Pick<EventOf<"WebhookAttempted">, "type" | "data"> | Pick<EventOf<"WebhookExhausted">, "type" | "data">): Promise<number> {
  const event = { id: randomUUID(), version: 1, request_id: end.request_id, tenant_id: end.tenant_id, occurred_at: new Date().toISOString(), correlation_id: end.correlation_id, ...fact } as ChorusEvent;
  return (await publishEvent(env.nats.js, env.nats.topology, event, { msgID: event.id })).seq;
}

const attempted = (attempt: number, statusCode: number, nextAttemptAt: string | null) =>
  ({ type: "WebhookAttempted", data: { webhook_id: "msg_1", attempt, url: "https://receiver.example/hook", status_code: statusCode, duration_ms: 4, error: `HTTP ${statusCode}`, next_attempt_at: nextAttemptAt } }) as const;

const exhausted = (attempts: number) => ({ type: "WebhookExhausted", data: { webhook_id: "msg_1", attempts, reason: "no success", cause: "retries_used_up" } }) as const;

/** A request that has ended, with a webhook unless told otherwise, recorded as the orchestrator records it. */
async function endedRequest(withWebhook = true): Promise<RequestEndEvent> {
  const requestId = randomUUID();
  const url = "https://receiver.example/hook";
  const sealed = sealSecret(TEST_WEBHOOK_KEYS.ring, "receiver-secret-0123456789", { requestId, tenantId: "default", url });
  const end = completedEnd(withWebhook ? { url, secret: sealed } : null, { requestId });
  await publishEvent(env.nats.js, env.nats.topology, end, { msgID: messageIds.end(end.request_id) });
  return end;
}

const redeliveries = async (requestId: string) => {
  const subject = env.nats.topology.subjects.webhookRedeliver(requestId);
  return (await env.nats.jsm.streams.info(env.nats.topology.streams.commands, { subjects_filter: subject })).state.subjects?.[subject] ?? 0;
};

describe("a manual webhook retry while the delivery chain is still due", () => {
  it("answers 409 WebhookRetryPending while the first delivery is under way, and asks for nothing", async () => {
    const gateway = await startGateway();
    const end = await endedRequest();
    const res = await retry(gateway, end.request_id);
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: "WebhookRetryPending", message: "this webhook's first delivery is under way; ask again once this delivery has ended", request_id: end.request_id });
    expect(await redeliveries(end.request_id)).toBe(0);
  });

  it("answers 409 saying when the scheduled retry is due", async () => {
    const gateway = await startGateway();
    const end = await endedRequest();
    const next = new Date(Date.now() + 60_000).toISOString();
    await record(end, attempted(1, 503, next));
    const res = await retry(gateway, end.request_id);
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: string; message: string };
    expect(body.error).toBe("WebhookRetryPending");
    expect(body.message).toContain(`attempt 2 is scheduled for ${next}`);
    expect(await redeliveries(end.request_id)).toBe(0);
  });

  it("answers 409 while the last attempt's outcome is still to be recorded", async () => {
    const gateway = await startGateway();
    const end = await endedRequest();
    await record(end, attempted(1, 500, null));
    const res = await retry(gateway, end.request_id);
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toBe("WebhookRetryPending");
  });

  it("answers 409 NoWebhook for a request without a webhook", async () => {
    const gateway = await startGateway();
    const end = await endedRequest(false);
    const res = await retry(gateway, end.request_id);
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toBe("NoWebhook");
  });
});

describe("a manual webhook retry after the delivery chain ended", () => {
  it("answers 202 and asks for a chain numbered on from the attempts so far, after the chain's outcome", async () => {
    const gateway = await startGateway();
    const end = await endedRequest();
    await record(end, attempted(1, 500, new Date(Date.now() - 2_000).toISOString()));
    await record(end, attempted(2, 500, null));
    const outcomeSeq = await record(end, exhausted(2));

    const res = await retry(gateway, end.request_id);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ request_id: end.request_id, status: "redelivery_requested" });
    const msg = await env.nats.jsm.streams.getMessage(env.nats.topology.streams.commands, { last_by_subj: env.nats.topology.subjects.webhookRedeliver(end.request_id) });
    expect(RedeliverWebhook.parse(msg?.json())).toMatchObject({ request_id: end.request_id, data: { reason: "manual", after_attempt: 2, after_seq: outcomeSeq } });
  });

  it("takes one of two retries sent at once to two gateways and answers the other 409", async () => {
    const [one, two] = [await startGateway(), await startGateway()];
    const end = await endedRequest();
    await record(end, attempted(1, 500, null));
    await record(end, exhausted(1));

    const answers = await Promise.all([retry(one, end.request_id), retry(two, end.request_id)]);
    expect(answers.map((a) => a.status).sort()).toEqual([202, 409]);
    const refused = answers.find((a) => a.status === 409);
    expect(await refused?.json()).toEqual({ error: "WebhookRetryPending", message: "a manual retry of this webhook was already taken; ask again once its delivery has ended", request_id: end.request_id });
    expect(await redeliveries(end.request_id)).toBe(1);

    // While that chain's command waits (no webhook service here), every later retry is refused too.
    expect((await retry(one, end.request_id)).status).toBe(409);
    expect(await redeliveries(end.request_id)).toBe(1);
  });

  it("refuses a retry while another redelivery's command is still in the stream", async () => {
    const gateway = await startGateway();
    const end = await endedRequest();
    await record(end, attempted(1, 500, null));
    const seq = await record(end, exhausted(1));
    const id = randomUUID();
    await publishValidated(
      env.nats.js,
      env.nats.topology.subjects.webhookRedeliver(end.request_id),
      RedeliverWebhook,
      { id, type: "RedeliverWebhook", version: 1, request_id: end.request_id, tenant_id: "default", occurred_at: new Date().toISOString(), correlation_id: "other", data: { reason: "manual", after_attempt: 1, after_seq: seq - 1 } },
      { msgID: id },
    );
    const res = await retry(gateway, end.request_id);
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toBe("WebhookRetryPending");
    expect(await redeliveries(end.request_id)).toBe(1);
  });

  it("refuses a retry decided on the same facts as one already taken, even once that one's command has left the stream", async () => {
    const gateway = await startGateway();
    const end = await endedRequest();
    await record(end, exhausted(0));
    expect((await retry(gateway, end.request_id)).status).toBe(202);
    // As the webhook service does when the chain ends: the command is acknowledged, so it leaves the work queue.
    const taken = await env.nats.jsm.streams.getMessage(env.nats.topology.streams.commands, { last_by_subj: env.nats.topology.subjects.webhookRedeliver(end.request_id) });
    await env.nats.jsm.streams.deleteMessage(env.nats.topology.streams.commands, taken?.seq ?? 0);
    expect(await redeliveries(end.request_id)).toBe(0);

    const again = await retry(gateway, end.request_id);
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: string }).error).toBe("WebhookRetryPending");
    expect(await redeliveries(end.request_id)).toBe(0);

    // Once the webhook service records something new, a retry is decided on that and taken.
    await record(end, exhausted(0));
    expect((await retry(gateway, end.request_id)).status).toBe(202);
  });
});
