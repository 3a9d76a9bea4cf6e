// The erasure sweep: the projector's durable consumer of RequestErased tombstones (shared
// by its replicas) deletes what NATS holds of each erased request (request-data.ts). The
// gateway only records the tombstone: the internet-facing service may not delete from the
// system of record. Each tombstone is swept at once, then again after a grace period, and
// again for as long as a sweep still finds something: what was in flight when the request
// was erased (a webhook attempt under way, an agent answering after its deadline, a task
// still queued) records its event after the first sweep.
import { ChorusEvent, type Topology } from "@chorus/contracts";
import { DeliverPolicy, ensureDurable, runConsumer, type ConsumerHandle, type DurableSpec, type JetStreamClient, type JetStreamManager, type Logger } from "@chorus/platform";
import { deleteRequestData, deletedCount } from "./request-data.ts";

export const ERASURE_DURABLE = "projector-erasures";

/** Between sweeps of one erasure: longer than a webhook attempt usually takes. */
export const SWEEP_AGAIN_AFTER_MS = 120_000;

export function erasureDurable(t: Topology): DurableSpec {
  return {
    stream: t.streams.events,
    durable: ERASURE_DURABLE,
    filterSubject: t.subjects.requestEvent("*", "erased"),
    // Every tombstone, the ones recorded before this durable existed too.
    deliverPolicy: DeliverPolicy.All,
    ackWaitMs: 60_000,
    // A sweep that keeps finding something keeps its tombstone; only a sweep that fails this often is dead-lettered.
    maxDeliver: 50,
    maxAckPending: 10_000,
  };
}

export type ErasureSweepDeps = { js: JetStreamClient; jsm: JetStreamManager; topology: Topology; logger: Logger; sweepAgainAfterMs?: number };

export async function startErasureSweep(deps: ErasureSweepDeps): Promise<ConsumerHandle> {
  const spec = erasureDurable(deps.topology);
  await ensureDurable(deps.jsm, spec);
  const again = deps.sweepAgainAfterMs ?? SWEEP_AGAIN_AFTER_MS;
  const logger = deps.logger.child({ consumer: ERASURE_DURABLE });
  return runConsumer({
    js: deps.js,
    topology: deps.topology,
    stream: spec.stream,
    durable: spec.durable,
    schema: ChorusEvent,
    concurrency: 2,
    maxDeliver: spec.maxDeliver,
    logger,
    handle: async (event, delivery) => {
      const deleted = await deleteRequestData(deps, event.request_id);
      if (deletedCount(deleted) > 0) logger.info({ request_id: event.request_id, sweep: delivery.deliveryCount, ...deleted }, "erasure: deleted what NATS held of the request");
      // The first sweep, or one that found something: another after the grace period.
      if (delivery.deliveryCount === 1 || deletedCount(deleted) > 0) return { retryInMs: again };
    },
  });
}
