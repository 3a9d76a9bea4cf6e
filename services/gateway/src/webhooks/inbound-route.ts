// POST /webhook/receive: the signed inbound endpoint, where another system starts a
// request by sending a webhook; submitted as POST /api/v1/process would, answering at once.
import type { RouterMiddleware } from "@koa/router";
import { ApiError } from "../errors.ts";
import { bindRequestId, type GatewayState } from "../http/state.ts";
import { parseOr422 } from "../http/validation.ts";
import { IdempotencyKeyHeader, processRequestBody } from "../processing/schema.ts";
import { submitRequest, type SubmitDeps } from "../processing/submit.ts";
import { rawBody } from "./raw-body.ts";
import { verifyWebhook } from "@chorus/webhook-security";

export type InboundOptions = {
  maxTextLength: number;
  maxBodyBytes: number;
  /** Shared secret of the senders; without it the route answers 503. */
  inboundSecret: string | undefined;
  clock: () => Date;
};

export function inboundWebhookRoute(deps: SubmitDeps, options: InboundOptions): RouterMiddleware<GatewayState> {
  const schema = processRequestBody(options.maxTextLength);
  return async (ctx) => {
    if (!options.inboundSecret) throw new ApiError("Unavailable", "inbound webhooks are not configured");
    const body = await rawBody(ctx.req, options.maxBodyBytes);
    const verdict = verifyWebhook(options.inboundSecret, body, (name) => ctx.get(name) || undefined, Math.floor(options.clock().getTime() / 1000));
    if (!verdict.valid) {
      ctx.state.log.warn({ reason: verdict.reason }, "inbound webhook refused");
      throw new ApiError("Unauthorized", `invalid webhook signature (${verdict.reason})`);
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new ApiError("MalformedJSON", "request body is not valid JSON");
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
  };
}
