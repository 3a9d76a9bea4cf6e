// POST /api/v1/process: validate, submit, and answer 200 with the result when it comes
// within the wait bound, else 202 with what is known and where to look.
import { Router } from "@koa/router";
import { withUsageTotal } from "@chorus/contracts";
import { koaBody } from "koa-body";
import type { Middleware } from "koa";
import { ApiError } from "../errors.ts";
import type { Access } from "../auth/index.ts";
import { callerOf, guard } from "../http/guard.ts";
import { bindRequestId, type GatewayState } from "../http/state.ts";
import { parseOr422 } from "../http/validation.ts";
import { parsePrefer, waitBoundMs } from "./prefer.ts";
import { IdempotencyKeyHeader, processRequestBody } from "./schema.ts";
import { submitRequest, type SubmitDeps } from "./submit.ts";

const JSON_TYPES = ["application/json", "application/*+json"];

export type ProcessingOptions = {
  maxTextLength: number;
  maxBodyBytes: number;
  processWaitTimeoutMs: number;
  /** Aborted when the gateway starts stopping: waiting requests answer 202 at once. */
  stopping: AbortSignal;
};

/** 415 for a body that is not JSON, before any of it is read. A POST without a body parses as {}. */
const requireJson: Middleware<GatewayState> = async (ctx, next) => {
  if (ctx.is(JSON_TYPES) === false) {
    throw new ApiError("UnsupportedMediaType", `Content-Type must be application/json, got ${ctx.get("Content-Type") || "none"}`);
  }
  await next();
};

/** Aborts when the client goes away before its answer is written. */
function clientGone(res: NodeJS.WritableStream & { writableFinished: boolean; once: (e: "close", f: () => void) => unknown }): AbortSignal {
  const controller = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

export function processingRoutes(deps: SubmitDeps, access: Access, options: ProcessingOptions): Router<GatewayState> {
  const schema = processRequestBody(options.maxTextLength);
  const router = new Router<GatewayState>();
  router.post(
    "/api/v1/process",
    // Before the body is read: a caller without a key is refused without uploading anything.
    guard(access, "requests:write"),
    requireJson,
    koaBody({
      json: true,
      jsonStrict: true,
      jsonTypes: JSON_TYPES,
      jsonLimit: options.maxBodyBytes,
      urlencoded: false,
      text: false,
      multipart: false,
    }) as Middleware<GatewayState>,
    async (ctx) => {
      const input = parseOr422(schema, ctx.request.body ?? {});
      const keyHeader = ctx.get("Idempotency-Key");
      const idempotencyKey = keyHeader ? parseOr422(IdempotencyKeyHeader, keyHeader, "Idempotency-Key") : undefined;
      const prefs = parsePrefer(ctx.get("Prefer") || undefined);
      const answerAtOnce = prefs.respondAsync || input.webhook !== null;
      const caller = callerOf(ctx);
      const outcome = await submitRequest(deps, {
        submitter: { tenantId: caller.tenantId, keyId: caller.keyId },
        input,
        idempotencyKey,
        correlationId: ctx.state.correlationId,
        waitMs: answerAtOnce ? 0 : waitBoundMs(prefs, options.processWaitTimeoutMs),
        signal: AbortSignal.any([clientGone(ctx.res), options.stopping]),
        log: ctx.state.log,
        onRequestId: (id) => bindRequestId(ctx, id),
      });
      ctx.status = outcome.kind === "ended" ? 200 : 202;
      if (outcome.kind === "pending") ctx.set("Location", `/api/v1/results/${outcome.view.request_id}`);
      if (prefs.respondAsync && outcome.kind === "pending") ctx.set("Preference-Applied", "respond-async");
      if (outcome.replayed) ctx.set("Idempotent-Replayed", "true");
      ctx.body = withUsageTotal(outcome.view);
    },
  );
  return router;
}
