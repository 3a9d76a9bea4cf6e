// When the request page reads its webhook log again: often while attempts may come, not
// at all once none can, and around the next probe while the endpoint's circuit is open.
import { describe, expect, it } from "vitest";
import { AFTER_PROBE_MS, OPEN_CIRCUIT_MAX_WAIT_MS, POLL_MS, latestCircuit, readAgainIn, type CircuitChange } from "./webhook-timing.js";

const NOW = Date.parse("2026-11-30T11:00:00.000Z");
const at = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();
const open = (probeInMs: number | null): CircuitChange => ({ state: "open", endpoint: "https://hooks.example", failures: 5, next_probe_at: probeInMs === null ? null : at(probeInMs), changed_at: at(-1_000) });

describe("readAgainIn", () => {
  it("reads every few seconds while a delivery is pending and its circuit is not open", () => {
    expect(readAgainIn({ webhookStatus: "pending", watchUntil: 0, circuit: null, now: NOW })).toBe(POLL_MS);
    expect(readAgainIn({ webhookStatus: "pending", watchUntil: 0, circuit: { ...open(5_000), state: "half_open" }, now: NOW })).toBe(POLL_MS);
    expect(readAgainIn({ webhookStatus: "pending", watchUntil: 0, circuit: { ...open(null), state: "closed" }, now: NOW })).toBe(POLL_MS);
  });

  it("stops once no attempt can come, unless a retry was asked for a moment ago", () => {
    expect(readAgainIn({ webhookStatus: "delivered", watchUntil: NOW - 1, circuit: null, now: NOW })).toBeNull();
    expect(readAgainIn({ webhookStatus: "exhausted", watchUntil: NOW + 10_000, circuit: null, now: NOW })).toBe(POLL_MS);
    expect(readAgainIn({ webhookStatus: undefined, watchUntil: 0, circuit: null, now: NOW })).toBeNull();
  });

  it("while the circuit is open, reads just after the next probe may go, within a minute, and never sooner than the usual pace", () => {
    expect(readAgainIn({ webhookStatus: "pending", watchUntil: 0, circuit: open(20_000), now: NOW })).toBe(20_000 + AFTER_PROBE_MS);
    expect(readAgainIn({ webhookStatus: "pending", watchUntil: 0, circuit: open(10 * 60_000), now: NOW })).toBe(OPEN_CIRCUIT_MAX_WAIT_MS);
    expect(readAgainIn({ webhookStatus: "pending", watchUntil: 0, circuit: open(-30_000), now: NOW })).toBe(POLL_MS);
    expect(readAgainIn({ webhookStatus: "pending", watchUntil: 0, circuit: open(null), now: NOW })).toBe(POLL_MS);
  });
});

describe("latestCircuit", () => {
  it("is the last change of the log's circuit list, or null when there is none or it could not be read", () => {
    const first = open(1_000);
    const last = { ...open(null), state: "closed" as const };
    expect(latestCircuit({ circuit: [first, last] })).toEqual(last);
    expect(latestCircuit({ circuit: [] })).toBeNull();
    expect(latestCircuit({ circuit: null })).toBeNull();
    expect(latestCircuit(null)).toBeNull();
  });
});
