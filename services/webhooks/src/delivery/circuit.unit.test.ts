import { describe, expect, it } from "vitest";
import { CLOSED, afterAttempt, endpointFailing, gate, type Circuit, type CircuitPolicy } from "./index.ts";

const policy: CircuitPolicy = { failures: 3, openMs: 30_000, probeLeaseMs: 40_000 };
const NOW = 1_000_000;

const failUntilOpen = (from: Circuit, times: number) => {
  let c = from;
  for (let i = 0; i < times; i++) c = afterAttempt(c, true, NOW, policy);
  return c;
};

describe("an endpoint's circuit", () => {
  it("lets everything through while closed, and opens on the run of failures that reaches the limit", () => {
    expect(gate(CLOSED, NOW, policy)).toEqual({ kind: "send" });
    expect(failUntilOpen(CLOSED, 2)).toEqual({ state: "closed", failures: 2, untilMs: 0 });
    expect(failUntilOpen(CLOSED, 3)).toEqual({ state: "open", failures: 3, untilMs: NOW + 30_000 });
  });

  it("counts failures in a row only: a success in between starts the run again", () => {
    const twice = failUntilOpen(CLOSED, 2);
    expect(afterAttempt(twice, false, NOW, policy)).toEqual(CLOSED);
    expect(failUntilOpen(afterAttempt(twice, false, NOW, policy), 2).state).toBe("closed");
  });

  it("asks for no write when nothing changes", () => {
    expect(afterAttempt(CLOSED, false, NOW, policy)).toBe(CLOSED);
    const open = failUntilOpen(CLOSED, 3);
    // An attempt sent before the circuit opened, failing after: still open, same probe time.
    expect(afterAttempt(open, true, NOW + 5, policy)).toBe(open);
  });

  it("keeps deliveries waiting while open, until the probe is due", () => {
    const open = failUntilOpen(CLOSED, 3);
    expect(gate(open, NOW + 29_999, policy)).toEqual({ kind: "wait", untilMs: NOW + 30_000 });
  });

  it("lets one delivery claim the probe once due, and keeps the rest waiting while it is out", () => {
    const open = failUntilOpen(CLOSED, 3);
    const due = NOW + 30_000;
    const probe = gate(open, due, policy);
    expect(probe).toEqual({ kind: "probe", next: { state: "half_open", failures: 3, untilMs: due + 40_000 } });
    if (probe.kind !== "probe") throw new Error("no probe");
    // Others ask again after an interval, or when the claim runs out if sooner.
    expect(gate(probe.next, due + 1, policy)).toEqual({ kind: "wait", untilMs: due + 1 + 30_000 });
    expect(gate(probe.next, due + 20_000, policy)).toEqual({ kind: "wait", untilMs: due + 40_000 });
    // A probe whose sender died: another claims it once the claim ran out.
    expect(gate(probe.next, due + 40_000, policy).kind).toBe("probe");
  });

  it("closes on the probe's success and opens again for another interval on its failure", () => {
    const halfOpen: Circuit = { state: "half_open", failures: 3, untilMs: NOW + 40_000 };
    expect(afterAttempt(halfOpen, false, NOW, policy)).toEqual(CLOSED);
    expect(afterAttempt(halfOpen, true, NOW, policy)).toEqual({ state: "open", failures: 3, untilMs: NOW + 30_000 });
  });

  it("is off with a limit of 0", () => {
    const off = { ...policy, failures: 0 };
    expect(afterAttempt(CLOSED, true, NOW, off)).toBe(CLOSED);
    expect(gate({ state: "open", failures: 9, untilMs: NOW + 1 }, NOW, off)).toEqual({ kind: "send" });
  });
});

describe("what an outcome says of the endpoint", () => {
  const failed = (statusCode: number | null) => ({ kind: "failed" as const, statusCode, error: "x", retryAfterMs: null });

  it("takes no answer, a 5xx and a 429 as failing; a 2xx, another 4xx and 410 as up; a refusal as nothing", () => {
    expect(endpointFailing(failed(null))).toBe(true);
    expect(endpointFailing(failed(503))).toBe(true);
    expect(endpointFailing(failed(429))).toBe(true);
    expect(endpointFailing(failed(404))).toBe(false);
    expect(endpointFailing({ kind: "delivered", statusCode: 204 })).toBe(false);
    expect(endpointFailing({ kind: "gone", statusCode: 410 })).toBe(false);
    expect(endpointFailing({ kind: "refused", error: "private" })).toBeNull();
  });
});
