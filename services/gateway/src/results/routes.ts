// GET /api/v1/results/:request_id and GET /api/v1/results: reads from the Postgres read
// models. A request the projector has not caught up with is answered from its events.
import { Router } from "@koa/router";
import { withUsageTotal, type Topology } from "@chorus/contracts";
import type { JetStreamManager } from "@chorus/platform";
import type { BrokerState } from "../broker/state.ts";
import { recordedEvents } from "../broker/lookup.ts";
import type { DatabaseLink } from "../database/link.ts";
import { notFound } from "../http/errors.ts";
import { bindRequestId, type GatewayState } from "../http/state.ts";
import { parseOr422 } from "../http/validation.ts";
import { viewFromEvents } from "../views/fold.ts";
import { findRequest, listRequests } from "./queries.ts";
import { ListResultsQuery, RequestIdParam, type ResultsPage } from "./schema.ts";

export type ResultsDeps = {
  database: DatabaseLink;
  jsm: JetStreamManager;
  topology: Topology;
  broker: BrokerState;
  tenantId: string;
};

export function resultsRoutes(deps: ResultsDeps): Router<GatewayState> {
  const router = new Router<GatewayState>();

  router.get("/api/v1/results/:request_id", async (ctx) => {
    const raw = ctx.params.request_id ?? "";
    const parsed = RequestIdParam.safeParse(raw);
    if (!parsed.success) throw notFound(`no request ${raw}`);
    const requestId = parsed.data.toLowerCase();
    bindRequestId(ctx, requestId);
    const view = (await findRequest(deps.database, deps.tenantId, requestId)) ?? (await fromEvents(deps, requestId, ctx.state.log));
    if (!view) throw notFound(`no request ${requestId}`, requestId);
    ctx.body = withUsageTotal(view);
  });

  router.get("/api/v1/results", async (ctx) => {
    const query = parseOr422(ListResultsQuery, ctx.query, "query");
    const page = await listRequests(deps.database, {
      tenantId: deps.tenantId,
      status: query.status,
      limit: query.page_size,
      offset: (query.page - 1) * query.page_size,
    });
    const body: ResultsPage = { items: page.items, page: query.page, page_size: query.page_size, total: page.total };
    ctx.body = body;
  });

  return router;
}

/** Just submitted or just ended, not yet projected: the accepted and end events tell enough. */
async function fromEvents(deps: ResultsDeps, requestId: string, log: GatewayState["log"]) {
  if (!deps.broker.isUp()) return undefined;
  try {
    const events = await recordedEvents(deps.jsm, deps.topology, requestId);
    return viewFromEvents(events.filter((e) => e.tenant_id === deps.tenantId));
  } catch (err) {
    log.warn({ err }, "could not look the request up in the event stream");
    return undefined;
  }
}
