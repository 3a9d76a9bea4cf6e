// POST /webhook/callback/test: a receiver for trying webhooks out. It verifies the
// signature with the secret it is given and says what it found; nothing is stored.
import type { RouterMiddleware } from "@koa/router";
import { validationError } from "../errors.ts";
import type { GatewayState } from "../http/state.ts";
import { rawBody } from "./raw-body.ts";
import type { CallbackTestResult } from "./schema.ts";
import { verifyWebhook } from "@chorus/webhook-security";

export type TestReceiverOptions = { maxBodyBytes: number; clock: () => Date };

export function testReceiverRoute(options: TestReceiverOptions): RouterMiddleware<GatewayState> {
  return async (ctx) => {
    const secret = ctx.get("X-Webhook-Secret") || (typeof ctx.query.secret === "string" ? ctx.query.secret : "");
    if (!secret) throw validationError([{ field: "X-Webhook-Secret", message: "give the secret to verify with in the X-Webhook-Secret header or the secret query parameter" }]);
    const body = await rawBody(ctx.req, options.maxBodyBytes);
    const verdict = verifyWebhook(secret, body, (name) => ctx.get(name) || undefined, Math.floor(options.clock().getTime() / 1000));
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
  };
}
