// Manual webhook retries against a receiver that fails, with the webhook service, the
// projector and two gateways as real processes: a retry while a chain is still due is a
// 409; one after it ended starts one new chain whose attempts are numbered on; the
// request's webhook status is never `failed` while a retry is due, and `attempts` counts
// every row of the delivery log.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { messageIds } from "@chorus/contracts";
import { publishEvent } from "@chorus/platform";
import {
  completedEnd,
  eventually,
  isolatedPerFile,
  startService,
  startWebhookReceiver,
  stopCleanly,
  type RunningService,
  type WebhookReceiver,
} from "@chorus/testing";
import { sealSecret, secretKeyOf, singleKeyRing } from "@chorus/webhook-security";

const KEY = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const SECRET = "e2e-retry-secret-0123456789";

type Attempt = { attempt: number; status_code: number | null; next_attempt_at: string | null; attempted_at: string; webhook_id: string };
type Webhook = { status: string; attempts: number; last_status_code: number | null };

const isolated = isolatedPerFile({ nats: true, database: true });
let receiver: WebhookReceiver;
let gateways: RunningService[];
const services: RunningService[] = [];

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  isolated.defer(() => receiver.close());
  isolated.defer(() => stopCleanly(services));
  const env = { ...isolated.nats.env, DATABASE_URL: isolated.db.url, LOG_LEVEL: "warn", WEBHOOK_SECRET_KEY: KEY, WEBHOOK_ALLOW_PRIVATE: "true" };
  // Three attempts a chain, quickly. Every test fails the one receiver on purpose: no circuit
  // breaking, or its run of failures would open the circuit and hold the next test's sends.
  services.push(await startService("webhooks", { ...env, WEBHOOK_MAX_RETRIES: "2", WEBHOOK_BACKOFF_BASE_MS: "300", WEBHOOK_TIMEOUT: "2", WEBHOOK_CIRCUIT_FAILURES: "0" }));
  services.push(await startService("projector", env));
  gateways = [await startService("gateway", env), await startService("gateway", env)];
  services.push(...gateways);
});

const gateway = (n: 0 | 1) => gateways[n] as RunningService;

async function requestEnded(): Promise<string> {
  // Sealed as a gateway given WEBHOOK_SECRET_KEY=KEY seals, for this request.
  const requestId = randomUUID();
  const sealed = sealSecret(singleKeyRing(secretKeyOf(KEY)), SECRET, { requestId, tenantId: "default", url: receiver.url });
  const end = completedEnd({ url: receiver.url, secret: sealed }, { requestId });
  await publishEvent(isolated.nats.js, isolated.nats.topology, end, { msgID: messageIds.end(end.request_id) });
  return end.request_id;
}

const retry = (n: 0 | 1, requestId: string) => fetch(`${gateway(n).url}/api/v1/webhook/retry/${requestId}`, { method: "POST" });
const postsFor = (requestId: string) => receiver.received.filter((r) => (JSON.parse(r.body) as { request_id: string }).request_id === requestId);

type ReadBack = { attempts: Attempt[]; webhook: Webhook };

/**
 * The delivery log, then the request's webhook summary, and what in them breaks the rules.
 * The read model only moves forward, so if the newest logged attempt's retry is still in
 * the future once both are read, no later fact can exist yet: the summary must say
 * `pending`. `failed` only when `failedAllowed`.
 */
async function readBack(requestId: string, failedAllowed = false): Promise<(ReadBack & { broken: string[] }) | undefined> {
  const logs = await fetch(`${gateway(0).url}/api/v1/webhook-logs/${requestId}`);
  const view = await fetch(`${gateway(1).url}/api/v1/results/${requestId}`);
  const readAt = Date.now();
  if (logs.status !== 200 || view.status !== 200) return undefined;
  const { attempts } = (await logs.json()) as { attempts: Attempt[] };
  const { webhook } = (await view.json()) as { webhook: Webhook | null };
  if (!webhook) return undefined;
  const broken: string[] = [];
  const newest = [...attempts].sort((a, b) => b.attempt - a.attempt)[0];
  if (newest?.next_attempt_at && Date.parse(newest.next_attempt_at) > readAt && webhook.status !== "pending") {
    broken.push(`status ${webhook.status} while attempt ${newest.attempt + 1} is due at ${newest.next_attempt_at}`);
  }
  if (webhook.status === "failed" && !failedAllowed) broken.push("status failed");
  return { attempts, webhook, broken };
}

/**
 * Reads back until `done` holds and the log (read first) has caught up with the summary;
 * every read on the way must keep the rules (eventually() would retry a thrown assertion).
 */
async function readBackUntil(requestId: string, done: (r: ReadBack) => boolean, failedAllowed = false): Promise<ReadBack> {
  const broken: string[] = [];
  const read = await eventually(async () => {
    const r = await readBack(requestId, failedAllowed);
    if (r) broken.push(...r.broken);
    return r && done(r) && r.attempts.length === r.webhook.attempts ? r : undefined;
  });
  expect(broken).toEqual([]);
  return read;
}

describe("manual webhook retries", () => {
  it("answers 409 while a retry is scheduled, saying when, and the request reads pending with its one attempt", async () => {
    receiver.enqueue({ status: 503, headers: { "retry-after": "600" } });
    const requestId = await requestEnded();
    const read = await readBackUntil(requestId, (r) => r.attempts.length === 1);
    const next = read.attempts[0]?.next_attempt_at;
    // The receiver's Retry-After of 600 s, counted from the attempt (not from now: a slow read-back must not matter).
    expect(Date.parse(next ?? "") - Date.parse(read.attempts[0]?.attempted_at ?? "")).toBeGreaterThan(590_000);

    const res = await retry(1, requestId);
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: string; message: string; request_id: string };
    expect(body).toMatchObject({ error: "WebhookRetryPending", request_id: requestId });
    expect(body.message).toContain(`attempt 2 is scheduled for ${next}`);
    expect(read.webhook).toMatchObject({ status: "pending", attempts: 1, last_status_code: 503 });
    expect(postsFor(requestId)).toHaveLength(1);
  });

  it("after the chain gave up, starts a new chain numbered on from it, which delivers once the receiver recovers", async () => {
    receiver.enqueue({ status: 500 }, { status: 500 }, { status: 500 }, { status: 502 });
    const requestId = await requestEnded();
    const gaveUp = await readBackUntil(requestId, (r) => r.webhook.status === "exhausted");
    expect(gaveUp.attempts.map((a) => [a.attempt, a.status_code])).toEqual([
      [1, 500],
      [2, 500],
      [3, 500],
    ]);
    expect(gaveUp.webhook.attempts).toBe(3);

    expect((await retry(0, requestId)).status).toBe(202);
    const delivered = await readBackUntil(requestId, (r) => r.webhook.status === "delivered");
    expect(delivered.attempts.map((a) => [a.attempt, a.status_code])).toEqual([
      [1, 500],
      [2, 500],
      [3, 500],
      [4, 502],
      [5, 204],
    ]);
    expect(delivered.webhook).toEqual(expect.objectContaining({ status: "delivered", attempts: delivered.attempts.length, last_status_code: 204 }));
    const posts = postsFor(requestId);
    expect(posts).toHaveLength(5);
    expect(new Set(posts.map((p) => p.headers["webhook-id"])).size).toBe(1);
  });

  it("of two retries sent at once through two gateways, starts one chain", async () => {
    // 410: the chain stops at once, as `failed` (retrying could not help) until asked again.
    receiver.enqueue({ status: 410 });
    const requestId = await requestEnded();
    const stopped = await readBackUntil(requestId, (r) => r.webhook.status === "failed", true);
    expect(stopped.attempts.map((a) => a.attempt)).toEqual([1]);

    const answers = await Promise.all([retry(0, requestId), retry(1, requestId)]);
    expect(answers.map((a) => a.status).sort()).toEqual([202, 409]);
    // `failed` stands until the new chain's first attempt is recorded.
    const delivered = await readBackUntil(requestId, (r) => r.webhook.status === "delivered", true);
    expect(delivered.attempts.map((a) => [a.attempt, a.status_code])).toEqual([
      [1, 410],
      [2, 204],
    ]);
    expect(delivered.webhook.attempts).toBe(2);
    expect(postsFor(requestId)).toHaveLength(2);
  });
});
