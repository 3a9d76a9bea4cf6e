// POST /webhook/receive: the signed inbound endpoint, where another system starts a
// request by sending a webhook; submitted as POST /api/v1/process would, answering at once.
// Only Standard Webhooks signatures are taken (unless the legacy scheme is allowed), and
// each webhook-id only once: a replay within the timestamp window is refused.
import type { RouterMiddleware } from "@koa/router";
import { ApiError, unavailable } from "../errors.ts";
import { bindRequestId, type GatewayState } from "../http/state.ts";
import { parseOr422 } from "../http/validation.ts";
import { IdempotencyKeyHeader, processRequestBody } from "../processing/schema.ts";
import { submitRequest, type SubmitDeps } from "../processing/submit.ts";
import type { AcceptedWebhookIds, WebhookIdClaim } from "./accepted-ids.ts";
import { rawBody } from "./raw-body.ts";
import { verifyWebhook, WEBHOOK_TOLERANCE_SECONDS, type WebhookVerification } from "@chorus/webhook-security";

export type InboundOptions = {
  maxTextLength: number;
  maxBodyBytes: number;
  /** Shared secret of the senders; without it the route answers 503. */
  inboundSecret: string | undefined;
  /** Also takes X-Webhook-Signature, which signs neither an id nor a time (WEBHOOK_INBOUND_ALLOW_LEGACY). */
  allowLegacySignature: boolean;
  /** The tenant whose requests inbound webhooks start (CHORUS_TENANT_ID): the shared secret names no tenant and no key. */
  tenantId: string;
  clock: () => Date;
};

export type InboundDeps = SubmitDeps & { acceptedIds: AcceptedWebhookIds };

function refusal(reason: Extract<WebhookVerification, { valid: false }>["reason"]): string {
  if (reason === "scheme-not-allowed") return "X-Webhook-Signature is not accepted here; sign with Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature)";
  if (reason === "stale") return `invalid webhook signature (stale: webhook-timestamp is more than ${WEBHOOK_TOLERANCE_SECONDS} s from now)`;
  return `invalid webhook signature (${reason})`;
}

export function inboundWebhookRoute(deps: InboundDeps, options: InboundOptions): RouterMiddleware<GatewayState> {
  const schema = processRequestBody(options.maxTextLength);
  const schemes = options.allowLegacySignature ? (["standard-webhooks", "x-webhook-signature"] as const) : (["standard-webhooks"] as const);
  return async (ctx) => {
    if (!options.inboundSecret) throw new ApiError("Unavailable", "inbound webhooks are not configured: set WEBHOOK_INBOUND_SECRET on the gateway to accept them");
    const body = await rawBody(ctx.req, options.maxBodyBytes);
    const now = options.clock();
    const verdict = verifyWebhook(options.inboundSecret, body, (name) => ctx.get(name) || undefined, Math.floor(now.getTime() / 1000), {
      toleranceSeconds: WEBHOOK_TOLERANCE_SECONDS,
      schemes,
    });
    if (!verdict.valid) {
      ctx.state.log.warn({ reason: verdict.reason }, "inbound webhook refused");
      throw new ApiError("Unauthorized", refusal(verdict.reason));
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new ApiError("MalformedJSON", "request body is not valid JSON");
    }
    const input = parseOr422(schema, json);
    // Claimed once the body is known to start a request: an invalid body claims nothing, and
    // its replay meets the same 4xx again. A legacy delivery's webhook-id is not signed; it is
    // claimed all the same, which stops a replay under that id but not under another.
    const claim = verdict.webhookId ? await claimOnce(deps.acceptedIds, verdict.webhookId, now) : undefined;
    if (claim === null) {
      ctx.state.log.warn({ scheme: verdict.scheme }, "inbound webhook refused: webhook-id already accepted");
      throw new ApiError("Unauthorized", "this webhook-id was already accepted (a replay); a new message needs a new webhook-id");
    }
    // Should the claim be released and the sender retry after all, the id still names one request, not two.
    const key = verdict.webhookId ? IdempotencyKeyHeader.safeParse(`inbound:${verdict.webhookId}`) : undefined;
    const outcome = await submitRequest(deps, {
      submitter: { tenantId: options.tenantId, keyId: null },
      input,
      idempotencyKey: key?.success ? key.data : undefined,
      correlationId: ctx.state.correlationId,
      waitMs: 0,
      signal: new AbortController().signal,
      log: ctx.state.log,
      onRequestId: (id) => bindRequestId(ctx, id),
    }).catch(async (err: unknown) => {
      // Not accepted after all (broker down, webhook URL refused): the sender's retry must be taken, not refused as a replay.
      await claim?.release().catch((releaseErr: unknown) => ctx.state.log.warn({ err: releaseErr }, "could not release an inbound webhook-id; its retries are refused until it expires"));
      throw err;
    });
    ctx.status = 202;
    ctx.set("Location", `/api/v1/results/${outcome.view.request_id}`);
    ctx.body = outcome.view;
  };
}

/** The id's claim, null for a replay; NATS failing to tell is a 503, so the sender tries again. */
async function claimOnce(ids: AcceptedWebhookIds, webhookId: string, now: Date): Promise<WebhookIdClaim | null> {
  try {
    return await ids.claim(webhookId, now);
  } catch (err) {
    throw unavailable("the message broker", err);
  }
}
