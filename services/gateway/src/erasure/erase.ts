// Erasure of one ended request (DELETE /api/v1/results/{id}): record the RequestErased
// tombstone, then delete everything else NATS holds of the request (request-data.ts); the
// projector strips the read models when it applies the tombstone. Recorded first, so an
// erasure cut short is known and finished: by the same call made again, and by the
// gateways' erasure sweep (completion.ts) whatever the client does.
import { randomUUID } from "node:crypto";
import { EndStatus, messageIds, type EventOf, type RequestErasure } from "@chorus/contracts";
import { lastRequestEvent, publishEvent, type JetStreamClient, type Logger } from "@chorus/platform";
import type { Caller } from "../auth/authenticate.ts";
import { ApiError, notFound, unavailable } from "../errors.ts";
import { readRequest, type ResultsDeps } from "../results/read.ts";
import { deleteRequestData, requestSubjects } from "./request-data.ts";

export type ErasureDeps = Omit<ResultsDeps, "tenantId"> & { js: JetStreamClient; clock: () => Date };

function recordOf(tombstone: EventOf<"RequestErased">): RequestErasure {
  return {
    request_id: tombstone.request_id,
    erased_at: tombstone.occurred_at,
    erased_by_key: tombstone.data.erased_by_key,
    erased_events: tombstone.data.erased_events,
  };
}

/** NATS failing midway is a 503: the tombstone, once recorded, makes the next call (or the sweep) finish. */
async function onBroker<T>(requestId: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw unavailable("the message broker", err, requestId);
  }
}

async function tombstoneOf(deps: ErasureDeps, requestId: string): Promise<EventOf<"RequestErased"> | undefined> {
  const found = await onBroker(requestId, () => lastRequestEvent(deps.jsm, deps.topology, requestId, "erased"));
  return found?.event.type === "RequestErased" ? found.event : undefined;
}

export async function eraseRequest(deps: ErasureDeps, requestId: string, caller: Caller, correlationId: string, log: Logger): Promise<RequestErasure> {
  const earlier = await tombstoneOf(deps, requestId);
  if (earlier) {
    // Another tenant's request is not found, exactly as one that never existed.
    if (earlier.tenant_id !== caller.tenantId) throw notFound(`no request ${requestId}`, requestId);
    await onBroker(requestId, () => deleteRequestData(deps, requestId));
    return recordOf(earlier);
  }
  const view = await readRequest({ ...deps, tenantId: caller.tenantId }, requestId, log);
  if (!view) throw notFound(`no request ${requestId}`, requestId);
  const ended = EndStatus.safeParse(view.status);
  // A running request's agents and webhook would write its data again after the erasure.
  if (!ended.success) throw new ApiError("NotEnded", "this request has not ended yet; it can be erased once it has", { requestId });
  const stored = await onBroker(requestId, () => requestSubjects(deps, requestId));
  const tombstone: EventOf<"RequestErased"> = {
    id: randomUUID(),
    type: "RequestErased",
    version: 1,
    request_id: requestId,
    tenant_id: caller.tenantId,
    occurred_at: deps.clock().toISOString(),
    correlation_id: correlationId,
    data: {
      erased_by_key: caller.keyId,
      status: ended.data,
      orchestration_mode: view.orchestration_mode,
      agents: view.agents,
      created_at: view.created_at,
      erased_events: Object.values(stored).reduce((sum, n) => sum + n, 0),
    },
  };
  const ack = await onBroker(requestId, () => publishEvent(deps.js, deps.topology, tombstone, { msgID: messageIds.erased(requestId) }));
  await onBroker(requestId, () => deleteRequestData(deps, requestId));
  log.info({ request_id: requestId, erased_by_key: caller.keyId }, "request erased");
  // Erased at once by another call: its tombstone is the one recorded.
  return ack.duplicate ? recordOf((await tombstoneOf(deps, requestId)) ?? tombstone) : recordOf(tombstone);
}
