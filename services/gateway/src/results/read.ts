// The reads behind GET /results/{id} and GET /results, shared by REST and gRPC so both
// answer the same. One request is read your-writes and monotonic: the read model, unless
// it has not caught up with the event stream, which is the truth (see readRequest).
// The list is the read model alone.
import { dispatchedByAccept, isEndEvent, type ChorusEvent, type RequestView, type Topology } from "@chorus/contracts";
import type { JetStreamManager, Logger } from "@chorus/platform";
import type { BrokerState } from "../broker/state.ts";
import { agentProgress, erasedAt, recordedEvents } from "../broker/lookup.ts";
import type { DatabaseLink } from "../database/link.ts";
import { ApiError, gone, notFound } from "../errors.ts";
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

const ENDED = new Set<RequestView["status"]>(["completed", "partial", "failed"]);

/**
 * One request, or undefined when neither the read model nor the event stream knows it.
 * An ended row is final and answers alone. Otherwise the row may lag the stream: the
 * request's accept and end are read from the stream (every 2xx of a submission comes after
 * its RequestAccepted is stored, so a request a client was told of is always found), and
 * with no row yet, or a row still `pending`, its agents' steps too, so the answer is never
 * behind what a client was already shown. With the database down, the stream answers alone.
 */
export async function readRequest(deps: ResultsDeps, requestId: string, log: Logger): Promise<RequestView | undefined> {
  let row: RequestView | undefined;
  let databaseDown: ApiError | undefined;
  try {
    row = await findRequest(deps.database, deps.tenantId, requestId);
  } catch (err) {
    if (!(err instanceof ApiError && err.code === "Unavailable")) throw err;
    databaseDown = err;
  }
  if (row && ENDED.has(row.status)) {
    const erased = await erasure(deps, requestId);
    if (erased) throw gone(requestId, erased);
    return row;
  }
  const [events, erased] = await Promise.all([streamFacts(deps, requestId, row, log), erasure(deps, requestId)]);
  if (erased) throw gone(requestId, erased);
  if (events === undefined || (databaseDown && events.length === 0)) {
    if (databaseDown) throw databaseDown;
    return row;
  }
  const view = viewFromEvents(events, row) ?? row;
  // Folding the stream's end over the row keeps what only the row knows.
  return view && row?.projection_error !== undefined ? { ...view, projection_error: row.projection_error } : view;
}

/**
 * When the request was erased, if it was. The tombstone is recorded before the projector
 * strips the row and deletes the events, so from its DELETE on no read shows the request.
 * With NATS down, unknown: the row (or nothing) answers.
 */
async function erasure(deps: ResultsDeps, requestId: string): Promise<string | undefined> {
  if (!deps.broker.isUp()) return undefined;
  return erasedAt(deps.jsm, deps.topology, requestId, deps.tenantId).catch(() => undefined);
}

/** One page of requests, newest first, from validated page parameters. */
export async function readPage(deps: ResultsDeps, query: ListResultsQuery): Promise<ResultsPage> {
  const page = await listRequests(deps.database, {
    tenantId: deps.tenantId,
    status: query.status,
    orchestrationMode: query.orchestration_mode,
    agent: query.agent,
    limit: query.page_size,
    offset: (query.page - 1) * query.page_size,
  });
  return { items: page.items, page: query.page, page_size: query.page_size, total: page.total };
}

/** The request's facts in the stream, in stream order; undefined when the stream cannot be read. */
async function streamFacts(deps: ResultsDeps, requestId: string, row: RequestView | undefined, log: Logger): Promise<ChorusEvent[] | undefined> {
  if (!deps.broker.isUp()) return undefined;
  try {
    // Another tenant's request is not found, exactly as one that never existed.
    const own = (events: ChorusEvent[]) => events.filter((e) => e.tenant_id === deps.tenantId);
    const head = own(await recordedEvents(deps.jsm, deps.topology, requestId));
    const accepted = head.find((e) => e.type === "RequestAccepted");
    if (!accepted || head.some(isEndEvent) || (row && row.status !== "pending")) return head;
    const agents = accepted.type === "RequestAccepted" ? accepted.data.agents : undefined;
    const byAccept = accepted.type === "RequestAccepted" && dispatchedByAccept(accepted) !== null;
    return [...head, ...own(await agentProgress(deps.jsm, deps.topology, requestId, agents, { dispatchedByAccept: byAccept }))];
  } catch (err) {
    log.warn({ err }, "could not read the request from the event stream");
    return undefined;
  }
}
