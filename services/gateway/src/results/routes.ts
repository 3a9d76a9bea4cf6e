// GET /api/v1/results/:request_id and GET /api/v1/results: reads from the Postgres read
// models. A request the projector has not caught up with is answered from its events.
// DELETE /api/v1/results/:request_id erases one (see ../erasure).
import { Router } from "@koa/router";
import { withUsageTotal } from "@chorus/contracts";
import { notFound } from "../errors.ts";
import { eraseRoute, type ErasureDeps } from "../erasure/index.ts";
import type { Access } from "../auth/index.ts";
import { callerOf, guard } from "../http/guard.ts";
import { bindRequestId, type GatewayState } from "../http/state.ts";
import { parseOr422 } from "../http/validation.ts";
import { parseRequestId, readPage, readRequest } from "./read.ts";
import { ListResultsQuery } from "./schema.ts";

export type { ResultsDeps } from "./read.ts";

/** The caller's tenant is the only one whose requests a call reads. */
export function resultsRoutes(deps: ErasureDeps, access: Access): Router<GatewayState> {
  const router = new Router<GatewayState>();
  const reader = guard(access, "requests:read");

  router.get("/api/v1/results/:request_id", reader, async (ctx) => {
    const requestId = parseRequestId(ctx.params.request_id ?? "");
    bindRequestId(ctx, requestId);
    const view = await readRequest({ ...deps, tenantId: callerOf(ctx).tenantId }, requestId, ctx.state.log);
    if (!view) throw notFound(`no request ${requestId}`, requestId);
    ctx.body = withUsageTotal(view);
  });

  router.get("/api/v1/results", reader, async (ctx) => {
    const query = parseOr422(ListResultsQuery, ctx.query, "query");
    ctx.body = await readPage({ ...deps, tenantId: callerOf(ctx).tenantId }, query);
  });

  router.delete("/api/v1/results/:request_id", guard(access, "requests:erase"), eraseRoute(deps));

  return router;
}
