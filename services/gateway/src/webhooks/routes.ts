// Webhook routes: the delivery log of a request (read model), a manual redelivery
// (a RedeliverWebhook command for the webhook service, once the previous delivery chain
// has ended), the signed inbound endpoint that starts a request from another system, and
// a test receiver for trying webhooks.
import { randomUUID } from "node:crypto";
import { Router } from "@koa/router";
import { RedeliverWebhook, isEndEvent, type Topology } from "@chorus/contracts";
import { isWrongLastSequence, publishValidated, verifyWebhook } from "@chorus/platform";
import type { BrokerState } from "../broker/state.ts";
import { recordedEvents } from "../broker/lookup.ts";
import type { DatabaseLink } from "../database/link.ts";
import { ApiError, notFound, unavailable, validationError } from "../http/errors.ts";
import { bindRequestId, type GatewayContext, type GatewayState } from "../http/state.ts";
import { parseOr422 } from "../http/validation.ts";
import { IdempotencyKeyHeader, processRequestBody } from "../processing/schema.ts";
import { submitRequest, type SubmitDeps } from "../processing/submit.ts";
import { RequestIdParam } from "../results/schema.ts";
import { deliveryFactsOf } from "./delivery-facts.ts";
import { webhookAttemptsOf } from "./queries.ts";
import { rawBody } from "./raw-body.ts";
import { retryVerdict } from "./retry-verdict.ts";
import type { CallbackTestResult, WebhookLogs } from "./schema.ts";

export type WebhookRouteDeps = SubmitDeps & { database: DatabaseLink; topology: Topology; broker: BrokerState };

export type WebhookRouteOptions = {
  maxTextLength: number;
  maxBodyBytes: number;
  /** Shared secret of POST /webhook/receive; without it that route answers 503. */
  inboundSecret: string | undefined;
  clock?: () => Date;
  /** How late a delivery chain's due attempt may be before a manual retry may take over (default STALLED_AFTER_MS). */
  stalledAfterMs?: number;
};

function requestIdOf(ctx: GatewayContext): string {
  const raw = String(ctx.params.request_id ?? "");
  const parsed = RequestIdParam.safeParse(raw);
  if (!parsed.success) throw notFound(`no request ${raw}`);
  const requestId = parsed.data.toLowerCase();
  bindRequestId(ctx, requestId);
  return requestId;
}

export function webhookRoutes(deps: WebhookRouteDeps, options: WebhookRouteOptions): Router<GatewayState> {
  const router = new Router<GatewayState>();
  const clock = options.clock ?? (() => new Date());
  const events = async (requestId: string) => {
    if (!deps.broker.isUp()) throw unavailable("the message broker", undefined, requestId);
    try {
      return (await recordedEvents(deps.jsm, deps.topology, requestId)).filter((e) => e.tenant_id === deps.tenantId);
    } catch (err) {
      throw unavailable("the message broker", err, requestId);
    }
  };

  router.get("/api/v1/webhook-logs/:request_id", async (ctx) => {
    const requestId = requestIdOf(ctx);
    const { known, attempts } = await webhookAttemptsOf(deps.database, deps.tenantId, requestId);
    // Not projected yet is not unknown: the event stream has the last word.
    if (!known && attempts.length === 0 && (await events(requestId)).length === 0) throw notFound(`no request ${requestId}`, requestId);
    const body: WebhookLogs = { request_id: requestId, attempts };
    ctx.body = body;
  });

  router.post("/api/v1/webhook/retry/:request_id", async (ctx) => {
    const requestId = requestIdOf(ctx);
    const recorded = await events(requestId);
    if (recorded.length === 0) throw notFound(`no request ${requestId}`, requestId);
    const end = recorded.find(isEndEvent);
    const accepted = recorded.find((e) => e.type === "RequestAccepted");
    const webhook = end?.data.webhook ?? (accepted?.type === "RequestAccepted" ? accepted.data.webhook : null);
    if (!webhook) throw new ApiError(409, "NoWebhook", "this request has no webhook to redeliver", { requestId });
    if (!end) throw new ApiError(409, "NotEnded", "this request has not ended yet; its webhook is sent when it does", { requestId });
    let facts;
    try {
      facts = await deliveryFactsOf(deps.jsm, deps.topology, requestId);
    } catch (err) {
      throw unavailable("the message broker", err, requestId);
    }
    if (!facts) throw new ApiError(409, "NotEnded", "this request has not ended yet; its webhook is sent when it does", { requestId });
    const verdict = retryVerdict(facts, clock().getTime(), options.stalledAfterMs);
    if (verdict.kind === "pending") throw new ApiError(409, "WebhookRetryPending", verdict.message, { requestId });
    const id = randomUUID();
    let duplicate: boolean;
    try {
      // Of two retries at once, on any replicas, one is taken. Both decided on the same
      // newest fact, so they carry the same message id and the server keeps one, even if
      // its chain has already run; and the command is stored only while the request's
      // redelivery subject is empty, so no retry is taken while another one's chain runs.
      const ack = await publishValidated(
        deps.js,
        deps.topology.subjects.webhookRedeliver(requestId),
        RedeliverWebhook,
        {
          id,
          type: "RedeliverWebhook",
          version: 1,
          request_id: requestId,
          tenant_id: deps.tenantId,
          occurred_at: clock().toISOString(),
          correlation_id: ctx.state.correlationId,
          data: { reason: "manual", after_attempt: verdict.afterAttempt, after_seq: verdict.afterSeq },
        },
        { msgID: `${requestId}:redeliver:after:${verdict.afterSeq}`, correlationId: ctx.state.correlationId, expectLastSubjectSequence: 0 },
      );
      duplicate = ack.duplicate;
    } catch (err) {
      if (!isWrongLastSequence(err)) throw unavailable("the message broker", err, requestId);
      duplicate = true;
    }
    if (duplicate) throw new ApiError(409, "WebhookRetryPending", "a manual retry of this webhook was already taken; ask again once its delivery has ended", { requestId });
    ctx.state.log.info({ after_attempt: verdict.afterAttempt }, "webhook redelivery requested");
    ctx.status = 202;
    ctx.body = { request_id: requestId, status: "redelivery_requested" };
  });

  const schema = processRequestBody(options.maxTextLength);
  router.post("/webhook/receive", async (ctx) => {
    if (!options.inboundSecret) throw new ApiError(503, "Unavailable", "inbound webhooks are not configured");
    const body = await rawBody(ctx.req, options.maxBodyBytes);
    const verdict = verifyWebhook(options.inboundSecret, body, (name) => ctx.get(name) || undefined, Math.floor(clock().getTime() / 1000));
    if (!verdict.valid) {
      ctx.state.log.warn({ reason: verdict.reason }, "inbound webhook refused");
      throw new ApiError(401, "Unauthorized", `invalid webhook signature (${verdict.reason})`);
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new ApiError(400, "MalformedJSON", "request body is not valid JSON");
    }
    const input = parseOr422(schema, json);
    // A sender retrying the same delivery keeps its webhook-id: it names one request, not two.
    const key = verdict.webhookId ? IdempotencyKeyHeader.safeParse(`inbound:${verdict.webhookId}`) : undefined;
    const outcome = await submitRequest(deps, {
      input,
      idempotencyKey: key?.success ? key.data : undefined,
      correlationId: ctx.state.correlationId,
      waitMs: 0,
      signal: new AbortController().signal,
      log: ctx.state.log,
      onRequestId: (id) => bindRequestId(ctx, id),
    });
    ctx.status = 202;
    ctx.set("Location", `/api/v1/results/${outcome.view.request_id}`);
    ctx.body = outcome.view;
  });

  router.post("/webhook/callback/test", async (ctx) => {
    const secret = ctx.get("X-Webhook-Secret") || (typeof ctx.query.secret === "string" ? ctx.query.secret : "");
    if (!secret) throw validationError([{ field: "X-Webhook-Secret", message: "give the secret to verify with in the X-Webhook-Secret header or the secret query parameter" }]);
    const body = await rawBody(ctx.req, options.maxBodyBytes);
    const verdict = verifyWebhook(secret, body, (name) => ctx.get(name) || undefined, Math.floor(clock().getTime() / 1000));
    let event: unknown = null;
    try {
      event = (JSON.parse(body) as { event?: unknown }).event ?? null;
    } catch {
      // Not JSON: still a delivery whose signature can be checked.
    }
    const result: CallbackTestResult = {
      valid: verdict.valid,
      scheme: verdict.valid ? verdict.scheme : null,
      reason: verdict.valid ? null : verdict.reason,
      webhook_id: verdict.valid ? verdict.webhookId : ctx.get("webhook-id") || null,
      received_bytes: Buffer.byteLength(body),
    };
    ctx.state.log.info({ ...result, event }, "test webhook received");
    ctx.body = result;
  });

  return router;
}
