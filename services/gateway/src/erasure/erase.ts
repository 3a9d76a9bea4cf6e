// Erasure of one ended request (DELETE /api/v1/results/{id}): the gateway records the
// request's RequestErased tombstone, and from then on every read of the request answers
// 410. The projector, applying the tombstone, strips the read models and deletes what NATS
// holds of the request (services/projector/src/erasure); the call waits a little for that,
// so its answer can say whether the deletes are done (200) or still under way (202).
import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { EndStatus, messageIds, type EventOf, type RequestErasure, type RequestView, type Topology } from "@chorus/contracts";
import { lastRequestEvent, publishEvent, storedPerSubject, type JetStreamClient, type JetStreamManager, type Logger } from "@chorus/platform";
import type { Caller } from "../auth/authenticate.ts";
import { ApiError, notFound, unavailable } from "../errors.ts";
import { recordedEvents } from "../broker/lookup.ts";
import { readRequest, type ResultsDeps } from "../results/read.ts";
import { viewFromEvents } from "../views/fold.ts";

export type ErasureDeps = Omit<ResultsDeps, "tenantId"> & {
  js: JetStreamClient;
  clock: () => Date;
  /** How long a call waits for the deletes before it answers 202 (default ERASE_WAIT_MS). */
  eraseWaitMs?: number;
};

export const ERASE_WAIT_MS = 5_000;

export type ErasureAnswer = { done: boolean; erasure: RequestErasure };

function recordOf(tombstone: EventOf<"RequestErased">): RequestErasure {
  return {
    request_id: tombstone.request_id,
    erased_at: tombstone.occurred_at,
    erased_by_key: tombstone.data.erased_by_key,
    erased_events: tombstone.data.erased_events,
  };
}

/** NATS failing is a 503: a tombstone, once recorded, is acted on whatever becomes of this call. */
async function onBroker<T>(requestId: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw unavailable("the message broker", err, requestId);
  }
}

/** How many messages the request's subjects hold, the tombstone's included. */
async function storedMessages(jsm: JetStreamManager, t: Topology, requestId: string): Promise<number> {
  return Object.values(await storedPerSubject(jsm, t, requestId)).reduce((sum, n) => sum + n, 0);
}

/** True once the tombstone is all the stream holds of the request, within `waitMs`. */
async function deletesDone(deps: ErasureDeps, requestId: string, waitMs: number): Promise<boolean> {
  const until = Date.now() + waitMs;
  for (;;) {
    if ((await onBroker(requestId, () => storedMessages(deps.jsm, deps.topology, requestId))) <= 1) return true;
    if (Date.now() >= until) return false;
    await delay(100);
  }
}

/**
 * The request as it is to be erased. Erased in the read models with no tombstone in the
 * stream means the stream was restored from an archive older than the erasure: the
 * request is erased again from what the restored stream holds of it.
 */
async function viewToErase(deps: ErasureDeps, requestId: string, caller: Caller, log: Logger): Promise<RequestView | undefined> {
  try {
    return await readRequest({ ...deps, tenantId: caller.tenantId }, requestId, log);
  } catch (err) {
    if (!(err instanceof ApiError && err.code === "Gone")) throw err;
    const recorded = await onBroker(requestId, () => recordedEvents(deps.jsm, deps.topology, requestId));
    const view = viewFromEvents(recorded.filter((e) => e.tenant_id === caller.tenantId));
    if (!view) throw err;
    log.warn({ request_id: requestId }, "erased in the read models but back in the stream (restored from an older archive): erasing it again");
    return view;
  }
}

async function tombstoneOf(deps: ErasureDeps, requestId: string): Promise<EventOf<"RequestErased"> | undefined> {
  const found = await onBroker(requestId, () => lastRequestEvent(deps.jsm, deps.topology, requestId, "erased"));
  return found?.event.type === "RequestErased" ? found.event : undefined;
}

export async function eraseRequest(deps: ErasureDeps, requestId: string, caller: Caller, correlationId: string, log: Logger): Promise<ErasureAnswer> {
  const waitMs = deps.eraseWaitMs ?? ERASE_WAIT_MS;
  const earlier = await tombstoneOf(deps, requestId);
  if (earlier) {
    // Another tenant's request is not found, exactly as one that never existed.
    if (earlier.tenant_id !== caller.tenantId) throw notFound(`no request ${requestId}`, requestId);
    return { done: await deletesDone(deps, requestId, waitMs), erasure: recordOf(earlier) };
  }
  const view = await viewToErase(deps, requestId, caller, log);
  if (!view) throw notFound(`no request ${requestId}`, requestId);
  const ended = EndStatus.safeParse(view.status);
  // A running request's agents and webhook would write its data again after the erasure.
  if (!ended.success) throw new ApiError("NotEnded", "this request has not ended yet; it can be erased once it has", { requestId });
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
      completed_at: view.completed_at,
      erased_events: await onBroker(requestId, () => storedMessages(deps.jsm, deps.topology, requestId)),
    },
  };
  const ack = await onBroker(requestId, () => publishEvent(deps.js, deps.topology, tombstone, { msgID: messageIds.erased(requestId) }));
  log.info({ request_id: requestId, erased_by_key: caller.keyId }, "request erased: tombstone recorded");
  // Erased at once by another call: its tombstone is the one recorded.
  const recorded = ack.duplicate ? ((await tombstoneOf(deps, requestId)) ?? tombstone) : tombstone;
  return { done: await deletesDone(deps, requestId, waitMs), erasure: recordOf(recorded) };
}
