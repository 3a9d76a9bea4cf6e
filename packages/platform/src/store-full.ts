// JetStream refusing a write for want of space: a stream at its max_bytes or max_msgs
// (Chorus's streams discard new messages at a limit rather than lose old ones), or a
// server or account out of storage. Not an outage to wait out for two minutes, nor a
// failure: nothing was stored, and the same write succeeds once space returns. This module recognises such refusals and remembers the last one, for /readyz
// and /metrics to say why writes fail.
import { JetStreamApiError } from "@nats-io/jetstream";
import { recordStoreRefusal } from "./metrics.ts";

// Insufficient resources / insufficient storage resources: by code. A stream at its limit
// comes as the generic "store failed" code (10077) with the limit in its text: by text only.
const STORE_FULL_CODES = new Set([10023, 10047]);
const STORE_FULL_TEXT = /maximum (bytes|messages)( per subject)? exceeded|insufficient (storage )?resources|resource limits exceeded/i;

/** True when `err` (or an error it wraps) is JetStream refusing to store for want of space. */
export function isStoreFull(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof JetStreamApiError) return STORE_FULL_CODES.has(e.code) || STORE_FULL_TEXT.test(e.message);
  }
  return false;
}

/** How long after the last refusal /readyz still reports it: a write that then succeeds clears it sooner. */
const STORE_FULL_REPORTED_MS = 15_000;

let last: { at: number; message: string } | undefined;

/** Notes a refusal (counted in chorus_event_store_refusals_total); `what` names the write, e.g. the subject. */
export function noteStoreRefusal(err: unknown, what: string): void {
  const message = err instanceof Error ? err.message : String(err);
  last = { at: Date.now(), message: `JetStream refused to store ${what}: ${message}` };
  recordStoreRefusal();
}

/** Notes that a write was stored: space is back. */
export function noteStoreAccepted(): void {
  last = undefined;
}

/** The last refusal if it is recent, for /readyz. */
export function recentStoreRefusal(now = Date.now()): { at: string; error: string } | undefined {
  if (!last || now - last.at > STORE_FULL_REPORTED_MS) return undefined;
  return { at: new Date(last.at).toISOString(), error: last.message };
}
