// One delivery attempt, the I/O shell around the pure core: sign, send, record the
// attempt as an event, and say when the next one is due. The JetStream message being
// handled IS the schedule: its delivery count is the attempt number, and a retry is a
// nak with delay, so a restart between attempts loses nothing.
import { randomUUID } from "node:crypto";
import type { ChorusEvent, RequestEndEvent, Topology } from "@chorus/contracts";
import { SecretUnsealError, openSecret, publishEvent, signatureHeaders, type HandleResult, type JetStreamClient, type JetStreamManager, type Logger, type SecretKey } from "@chorus/platform";
import { classify, decide, webhookIdOf, webhookPayload, type Decision, type RetryPolicy } from "./delivery/index.ts";
import { sendWebhook } from "./send.ts";
import { lastAttemptSince, lastRoundEndAt } from "./stream-reads.ts";

export type AttemptDeps = {
  js: JetStreamClient;
  jsm: JetStreamManager;
  topology: Topology;
  logger: Logger;
  secretKey: SecretKey;
  policy: RetryPolicy;
  timeoutMs: number;
  allowPrivate: boolean;
  clock?: () => Date;
  random?: () => number;
};

/** A delivery round: the end event's own, or one asked for by a RedeliverWebhook command. */
export type Round = {
  /** "end" or the command's id: part of every message id the round publishes. */
  key: string;
  /** A delivered/exhausted event at or after this time means the round is over. */
  startedAt: string;
  correlationId: string;
};

export const attemptMessageIds = {
  attempted: (requestId: string, round: string, attempt: number) => `${requestId}:webhook:${round}:attempt:${attempt}`,
  finished: (requestId: string, round: string) => `${requestId}:webhook:${round}:finished`,
};

export async function attemptDelivery(deps: AttemptDeps, end: RequestEndEvent, round: Round, deliveryCount: number): Promise<HandleResult> {
  const webhook = end.data.webhook;
  if (!webhook) return;
  const clock = deps.clock ?? (() => new Date());
  // Normally the delivery count; never a number already recorded in this round.
  const attempt = Math.max(deliveryCount, (await lastAttemptSince(deps.jsm, deps.topology, end.request_id, round.startedAt)) + 1);
  const log = deps.logger.child({ request_id: end.request_id, correlation_id: round.correlationId, round: round.key, attempt });
  const webhookId = webhookIdOf(end);

  // A redelivery after the round already ended (a replica died after recording the
  // outcome but before its ack) sends nothing again.
  const endedAt = await lastRoundEndAt(deps.jsm, deps.topology, end.request_id);
  if (endedAt && Date.parse(endedAt) >= Date.parse(round.startedAt)) {
    log.info("delivery round already ended; nothing to do");
    return;
  }

  const record = (event: Omit<ChorusEvent, "id" | "request_id" | "tenant_id" | "occurred_at" | "correlation_id" | "version">, msgID: string) =>
    publishEvent(
      deps.js,
      deps.topology,
      {
        ...event,
        id: randomUUID(),
        version: 1,
        request_id: end.request_id,
        tenant_id: end.tenant_id,
        occurred_at: clock().toISOString(),
        correlation_id: round.correlationId,
      } as ChorusEvent,
      { msgID },
    );
  const finish = (decision: Exclude<Decision, { kind: "retry" }>, attempts: number) =>
    decision.kind === "delivered"
      ? record({ type: "WebhookDelivered", data: { webhook_id: webhookId, attempt: attempts, status_code: decision.statusCode } }, attemptMessageIds.finished(end.request_id, round.key))
      : record({ type: "WebhookExhausted", data: { webhook_id: webhookId, attempts, reason: decision.reason } }, attemptMessageIds.finished(end.request_id, round.key));

  // Only a failing handler (e.g. the broker was briefly away) spends deliveries beyond the schedule.
  if (attempt > deps.policy.maxRetries + 1) {
    await finish({ kind: "exhausted", reason: `gave up after ${attempt - 1} deliveries` }, attempt - 1);
    return;
  }

  let secret: string;
  try {
    secret = openSecret(deps.secretKey, webhook.secret);
  } catch (err) {
    if (!(err instanceof SecretUnsealError)) throw err;
    log.error("webhook secret cannot be opened with this service's WEBHOOK_SECRET_KEY");
    await finish({ kind: "exhausted", reason: "the webhook secret cannot be opened (WEBHOOK_SECRET_KEY differs from the gateway's)" }, attempt - 1);
    return;
  }

  const body = JSON.stringify(webhookPayload(end));
  const startedAt = clock();
  const headers = signatureHeaders(secret, webhookId, Math.floor(startedAt.getTime() / 1000), body);
  const started = performance.now();
  const response = await sendWebhook(webhook.url, body, headers, { timeoutMs: deps.timeoutMs, allowPrivate: deps.allowPrivate });
  const durationMs = Math.round(performance.now() - started);
  const outcome = classify(response, clock().getTime());
  const decision = decide(outcome, attempt, deps.policy, (deps.random ?? Math.random)());

  const statusCode = outcome.kind === "refused" ? null : outcome.statusCode;
  const error = outcome.kind === "failed" || outcome.kind === "refused" ? outcome.error : outcome.kind === "gone" ? "HTTP 410 Gone" : null;
  const nextAttemptAt = decision.kind === "retry" ? new Date(clock().getTime() + decision.inMs).toISOString() : null;
  await record(
    { type: "WebhookAttempted", data: { webhook_id: webhookId, attempt, url: webhook.url, status_code: statusCode, duration_ms: durationMs, error, next_attempt_at: nextAttemptAt } },
    attemptMessageIds.attempted(end.request_id, round.key, attempt),
  );
  log.info({ status_code: statusCode, duration_ms: durationMs, error, decision: decision.kind, next_attempt_at: nextAttemptAt }, "webhook attempt");

  if (decision.kind === "retry") return { retryInMs: decision.inMs };
  await finish(decision, attempt);
}
