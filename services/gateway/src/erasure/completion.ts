// The erasure sweep: every gateway replica shares one durable consumer of RequestErased
// tombstones and, a grace period after each erasure, deletes what NATS still holds of the
// erased request. That finishes an erasure whose call was cut short (a crash between the
// tombstone and the deletes), and removes what was in flight when the request was erased
// and recorded its event after the call's deletes: a webhook attempt under way, an agent
// answering after its deadline. Waiting first also keeps the sweep from racing the call.
import { ChorusEvent, type Topology } from "@chorus/contracts";
import { DeliverPolicy, ensureDurable, runConsumer, type ConsumerHandle, type DurableSpec, type JetStreamClient, type JetStreamManager, type Logger } from "@chorus/platform";
import { deleteRequestData } from "./request-data.ts";

export const ERASURE_DURABLE = "gateway-erasures";

/** Longer than a webhook attempt may take (WEBHOOK_TIMEOUT) and than an agent's late answer is worth waiting for. */
export const SWEEP_AFTER_MS = 120_000;

export function erasureDurable(t: Topology): DurableSpec {
  return {
    stream: t.streams.events,
    durable: ERASURE_DURABLE,
    filterSubject: t.subjects.requestEvent("*", "erased"),
    // Every tombstone, the ones recorded before this durable existed too: a sweep of an erased request finds little to do.
    deliverPolicy: DeliverPolicy.All,
    ackWaitMs: 60_000,
    maxDeliver: 20,
    maxAckPending: 1_000,
  };
}

export type ErasureSweepDeps = { js: JetStreamClient; jsm: JetStreamManager; topology: Topology; logger: Logger; clock: () => Date; sweepAfterMs?: number };

export async function startErasureSweep(deps: ErasureSweepDeps): Promise<ConsumerHandle> {
  const spec = erasureDurable(deps.topology);
  await ensureDurable(deps.jsm, spec);
  const grace = deps.sweepAfterMs ?? SWEEP_AFTER_MS;
  return runConsumer({
    js: deps.js,
    topology: deps.topology,
    stream: spec.stream,
    durable: spec.durable,
    schema: ChorusEvent,
    concurrency: 2,
    maxDeliver: spec.maxDeliver,
    logger: deps.logger.child({ consumer: ERASURE_DURABLE }),
    handle: async (event) => {
      const age = deps.clock().getTime() - Date.parse(event.occurred_at);
      if (age < grace) return { retryInMs: grace - age };
      const deleted = await deleteRequestData(deps, event.request_id);
      if (deleted.events + deleted.deadLetters > 0) deps.logger.info({ request_id: event.request_id, ...deleted }, "erasure sweep deleted what was left of an erased request");
    },
  });
}
