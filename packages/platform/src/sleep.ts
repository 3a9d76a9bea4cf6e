// Waiting that an AbortSignal cuts short, rejecting with the signal's own reason (a
// deadline's error, say) rather than a generic AbortError.
import { setTimeout as delay } from "node:timers/promises";

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch((err: unknown) => {
    throw signal.aborted ? signal.reason : err;
  });
}
