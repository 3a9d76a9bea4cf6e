// DELETE /api/v1/results/:request_id: erases an ended request of the caller's tenant
// (scope requests:erase) and answers with the erasure as recorded: 200 once NATS holds
// nothing more of the request, 202 while the projector is still deleting. Idempotent.
import type { RouterMiddleware } from "@koa/router";
import { callerOf } from "../http/guard.ts";
import { bindRequestId, type GatewayState } from "../http/state.ts";
import { parseRequestId } from "../results/read.ts";
import { eraseRequest, type ErasureDeps } from "./erase.ts";

export function eraseRoute(deps: ErasureDeps): RouterMiddleware<GatewayState> {
  return async (ctx) => {
    const requestId = parseRequestId(ctx.params.request_id ?? "");
    bindRequestId(ctx, requestId);
    const { done, erasure } = await eraseRequest(deps, requestId, callerOf(ctx), ctx.state.correlationId, ctx.state.log);
    ctx.status = done ? 200 : 202;
    ctx.body = erasure;
  };
}
