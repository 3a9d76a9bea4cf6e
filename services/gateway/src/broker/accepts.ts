// The orchestrator's durable over RequestAccepted must exist before the gateway records an
// accept (it delivers only what is stored after its creation): ensured once per process,
// on the first submission or at start, and again after a failed try.
import type { Topology } from "@chorus/contracts";
import { ensureRequestAcceptsDurable, type JetStreamManager } from "@chorus/platform";

export type AcceptsDurable = () => Promise<void>;

export function acceptsDurable(jsm: JetStreamManager, t: Topology): AcceptsDurable {
  let ensured: Promise<void> | undefined;
  return () =>
    (ensured ??= ensureRequestAcceptsDurable(jsm, t).then(
      () => undefined,
      (err: unknown) => {
        ensured = undefined;
        throw err;
      },
    ));
}
