// The reads behind GET /results/{id} and GET /results, shared by REST and gRPC so both
// answer the same: Postgres read models first; a request not yet projected from its events.
import type { RequestView, Topology } from "@chorus/contracts";
import type { JetStreamManager, Logger } from "@chorus/platform";
import type { BrokerState } from "../broker/state.ts";
import { recordedEvents } from "../broker/lookup.ts";
import type { DatabaseLink } from "../database/link.ts";
import { notFound } from "../http/errors.ts";
import { viewFromEvents } from "../views/fold.ts";
import { findRequest, listRequests } from "./queries.ts";
import { RequestIdParam, type ListResultsQuery, type ResultsPage } from "./schema.ts";

export type ResultsDeps = {
  database: DatabaseLink;
  jsm: JetStreamManager;
  topology: Topology;
  broker: BrokerState;
  tenantId: string;
};

/** The request id a path or message names, lower-cased; anything that is not a UUID names no request (404). */
export function parseRequestId(raw: string): string {
  const parsed = RequestIdParam.safeParse(raw);
  if (!parsed.success) throw notFound(`no request ${raw}`);
  return parsed.data.toLowerCase();
}

/** One request, or undefined when neither the read model nor the event stream knows it. */
export async function readRequest(deps: ResultsDeps, requestId: string, log: Logger): Promise<RequestView | undefined> {
  return (await findRequest(deps.database, deps.tenantId, requestId)) ?? (await fromEvents(deps, requestId, log));
}

/** One page of requests, newest first, from validated page parameters. */
export async function readPage(deps: ResultsDeps, query: ListResultsQuery): Promise<ResultsPage> {
  const page = await listRequests(deps.database, {
    tenantId: deps.tenantId,
    status: query.status,
    limit: query.page_size,
    offset: (query.page - 1) * query.page_size,
  });
  return { items: page.items, page: query.page, page_size: query.page_size, total: page.total };
}

/** Just submitted or just ended, not yet projected: the accepted and end events tell enough. */
async function fromEvents(deps: ResultsDeps, requestId: string, log: Logger) {
  if (!deps.broker.isUp()) return undefined;
  try {
    const events = await recordedEvents(deps.jsm, deps.topology, requestId);
    return viewFromEvents(events.filter((e) => e.tenant_id === deps.tenantId));
  } catch (err) {
    log.warn({ err }, "could not look the request up in the event stream");
    return undefined;
  }
}
