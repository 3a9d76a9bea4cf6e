// For the webhook service's tests: end events carrying a sealed webhook, publishing
// them, picking the webhook events recorded, and the service in-process on isolated NATS.
import { createCipheriv, randomBytes, randomUUID } from "node:crypto";
import { RedeliverWebhook, messageIds, type ChorusEvent, type RequestEndEvent } from "@chorus/contracts";
import { newestWebhookFacts, publishEvent, publishValidated } from "@chorus/platform";
import { completedEnd, testLogger, type IsolatedNats } from "@chorus/testing";
import { sealSecret, secretKeyOf, singleKeyRing, type SecretKeyring } from "@chorus/webhook-security";
import { startWebhooks, type Webhooks, type WebhooksDeps } from "./start-webhooks.ts";

export const TEST_KEY_TEXT = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
/** The keyring of a service given WEBHOOK_SECRET_KEY=TEST_KEY_TEXT. */
export const TEST_KEYRING = singleKeyRing(secretKeyOf(TEST_KEY_TEXT));
export const RECEIVER_SECRET = "receiver-secret-0123456789";

/** A secret as the gateway sealed it before keyrings (v1: no key id, not bound to a request), as an upgrade finds it in flight. */
export function sealedBeforeKeyIds(key: Buffer, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const ct = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ct.toString("base64url")].join(".");
}

/** A request's end carrying a webhook to `url` with the receiver's secret (or `secret`), sealed for that request with TEST_KEYRING (or `keyring`). */
export function endEvent(url: string, options: { requestId?: string; failed?: boolean; secret?: string; keyring?: SecretKeyring } = {}): RequestEndEvent {
  const requestId = options.requestId ?? randomUUID();
  const tenantId = "default";
  return completedEnd(
    { url, secret: sealSecret(options.keyring ?? TEST_KEYRING, options.secret ?? RECEIVER_SECRET, { requestId, tenantId, url }) },
    {
      requestId,
      tenantId,
      failed: options.failed,
      data: {
        results: { sentiment: { status: "completed", provider: "local", model: "test", duration_ms: 3, usage: null, error: null, output: { label: "positive", score: 0.5, confidence: 0.9 } } },
        duration_ms: 12,
        created_at: new Date(Date.now() - 1000).toISOString(),
      },
    },
  );
}

export async function publishEnd(nats: IsolatedNats, end: RequestEndEvent, msgID = messageIds.end(end.request_id)) {
  return publishEvent(nats.js, nats.topology, end, { msgID });
}

export function webhookEvents(events: ChorusEvent[]) {
  return events.filter((e) => e.type === "WebhookAttempted" || e.type === "WebhookDelivered" || e.type === "WebhookExhausted");
}

export function startTestWebhooks(nats: IsolatedNats, overrides: Partial<WebhooksDeps> = {}): Promise<Webhooks> {
  return startWebhooks({
    js: nats.js,
    jsm: nats.jsm,
    topology: nats.topology,
    logger: testLogger,
    keyring: TEST_KEYRING,
    policy: { maxRetries: 3, scheduleMs: [50, 100, 200], maxRetryAfterMs: 5_000 },
    timeoutMs: 2_000,
    allowPrivate: true,
    concurrency: 4,
    ...overrides,
  });
}

/**
 * Asks for a manual redelivery as the gateway does: numbered on from the attempts recorded
 * so far, after the newest webhook fact (or the end), and only while none is pending (a
 * "wrong last sequence" error otherwise).
 */
export async function publishRedelivery(nats: IsolatedNats, end: RequestEndEvent, options: { id?: string; decidedOn?: { afterSeq: number; afterAttempt: number } } = {}) {
  const { afterSeq, afterAttempt } = options.decidedOn ?? (await redeliveryBasis(nats, end));
  const id = options.id ?? randomUUID();
  return publishValidated(
    nats.js,
    nats.topology.subjects.webhookRedeliver(end.request_id),
    RedeliverWebhook,
    {
      id,
      type: "RedeliverWebhook",
      version: 1,
      request_id: end.request_id,
      tenant_id: end.tenant_id,
      occurred_at: new Date().toISOString(),
      correlation_id: `manual-${id.slice(0, 8)}`,
      data: { reason: "manual", after_attempt: afterAttempt, after_seq: afterSeq },
    },
    { msgID: `${end.request_id}:redeliver:${id}`, expectLastSubjectSequence: 0 },
  );
}

/** What a redelivery asked for now is decided on: the newest webhook fact (or the end), and the attempts so far. */
export async function redeliveryBasis(nats: IsolatedNats, end: RequestEndEvent): Promise<{ afterSeq: number; afterAttempt: number }> {
  const t = nats.topology;
  const facts = await newestWebhookFacts(nats.jsm, t, end.request_id);
  const endMsg = await nats.jsm.streams.getMessage(t.streams.events, { last_by_subj: t.subjects.event(end.request_id, end) });
  return { afterSeq: Math.max(endMsg?.seq ?? 0, facts.lastAttempt?.seq ?? 0, facts.lastOutcome?.seq ?? 0), afterAttempt: facts.lastAttempt?.attempt ?? 0 };
}
