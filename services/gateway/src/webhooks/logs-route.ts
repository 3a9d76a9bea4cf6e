// GET /api/v1/webhook-logs/:request_id: a request's webhook delivery attempts, from the
// read model, and the endpoint circuit changes its delivery made, from the event stream.
import type { RouterMiddleware } from "@koa/router";
import type { DatabaseLink } from "../database/link.ts";
import { notFound } from "../errors.ts";
import { callerOf } from "../http/guard.ts";
import { bindRequestId, type GatewayState } from "../http/state.ts";
import { parseRequestId } from "../results/read.ts";
import { circuitChangesOf } from "./circuit-changes.ts";
import { ownRecordedFacts, refuseErased, type OwnEventsDeps } from "./own-events.ts";
import { webhookAttemptsOf } from "./queries.ts";
import type { WebhookLogs } from "./schema.ts";

export type LogsDeps = Omit<OwnEventsDeps, "tenantId"> & { database: DatabaseLink };

export function webhookLogsRoute(deps: LogsDeps): RouterMiddleware<GatewayState> {
  return async (ctx) => {
    const requestId = parseRequestId(ctx.params.request_id ?? "");
    bindRequestId(ctx, requestId);
    // The caller's tenant only: another tenant's request is not found.
    const tenantId = callerOf(ctx).tenantId;
    await refuseErased({ ...deps, tenantId }, requestId);
    const { known, attempts } = await webhookAttemptsOf(deps.database, tenantId, requestId);
    // Not projected yet is not unknown: the event stream has the last word.
    if (!known && attempts.length === 0 && (await ownRecordedFacts({ ...deps, tenantId }, requestId)).length === 0) throw notFound(`no request ${requestId}`, requestId);
    // The caller's own request by now: known to the read model under its tenant, or recorded so.
    const circuit = await circuitChangesOf(deps, requestId);
    const body: WebhookLogs = { request_id: requestId, attempts, circuit };
    ctx.body = body;
  };
}
