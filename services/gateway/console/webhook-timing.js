// When a request's page reads its webhook log again. Pure, so it has unit tests: every few
// seconds while attempts may still come, never once none can; while the endpoint's circuit
// is open nothing is sent until its next probe, so the log is read just after the probe
// may go rather than every few seconds (and at least once a minute: a manual retry or
// another request's delivery can close the circuit sooner).

export const POLL_MS = 2_000;
/** An open circuit is read again this long after its next probe may go (the probe takes a moment). */
export const AFTER_PROBE_MS = 1_500;
export const OPEN_CIRCUIT_MAX_WAIT_MS = 60_000;

/** The endpoint's latest circuit change this request's delivery made (the log's `circuit` list, oldest first), or null. */
export const latestCircuit = (logs) => logs?.circuit?.at(-1) ?? null;

/**
 * In ms, when to read again, or null: not at all when the webhook is no longer pending and
 * no manual retry was asked for until `watchUntil`.
 */
export function readAgainIn({ webhookStatus, watchUntil, circuit, now }) {
  if (webhookStatus !== "pending" && now >= watchUntil) return null;
  const probeAt = circuit?.state === "open" && circuit.next_probe_at ? Date.parse(circuit.next_probe_at) : Number.NaN;
  if (Number.isNaN(probeAt)) return POLL_MS;
  return Math.min(OPEN_CIRCUIT_MAX_WAIT_MS, Math.max(POLL_MS, probeAt + AFTER_PROBE_MS - now));
}
