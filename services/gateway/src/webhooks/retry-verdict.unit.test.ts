import { describe, expect, it } from "vitest";
import { STALLED_AFTER_MS, retryVerdict, type DeliveryFacts } from "./retry-verdict.ts";

const NOW = Date.parse("2026-11-25T10:00:10.000Z");
const end = { seq: 10, occurredAt: "2026-11-25T10:00:00.000Z" };

describe("retryVerdict", () => {
  it("refuses while the first delivery is under way", () => {
    expect(retryVerdict({ end }, NOW)).toEqual({ kind: "pending", nextAttemptAt: null, message: "this webhook's first delivery is under way; ask again once this delivery has ended" });
  });

  it("refuses while a retry is scheduled, saying which attempt is due when", () => {
    const facts: DeliveryFacts = { end, lastAttempt: { seq: 11, attempt: 1, occurredAt: "2026-11-25T10:00:01.000Z", nextAttemptAt: "2026-11-25T10:00:30.000Z" } };
    const verdict = retryVerdict(facts, NOW);
    expect(verdict).toMatchObject({ kind: "pending", nextAttemptAt: "2026-11-25T10:00:30.000Z" });
    expect(verdict.kind === "pending" && verdict.message).toBe(
      "a retry of this webhook is already pending: attempt 2 is scheduled for 2026-11-25T10:00:30.000Z; ask again once this delivery has ended",
    );
  });

  it("refuses while a retry that fell due is being made", () => {
    const facts: DeliveryFacts = { end, lastAttempt: { seq: 11, attempt: 3, occurredAt: "2026-11-25T10:00:01.000Z", nextAttemptAt: "2026-11-25T10:00:09.000Z" } };
    const verdict = retryVerdict(facts, NOW);
    expect(verdict.kind === "pending" && verdict.message).toContain("attempt 4 was due at 2026-11-25T10:00:09.000Z and is under way");
  });

  it("refuses while the last attempt's outcome is still to be recorded", () => {
    const facts: DeliveryFacts = { end, lastAttempt: { seq: 11, attempt: 3, occurredAt: "2026-11-25T10:00:09.000Z", nextAttemptAt: null } };
    expect(retryVerdict(facts, NOW)).toMatchObject({ kind: "pending", nextAttemptAt: null, message: expect.stringContaining("attempt 3 of this webhook was just made") });
  });

  it("starts a new chain once the newest chain has ended, numbered on from its attempts and after its outcome", () => {
    const exhausted: DeliveryFacts = { end, lastAttempt: { seq: 13, attempt: 3, occurredAt: "2026-11-25T10:00:05.000Z", nextAttemptAt: null }, lastOutcome: { seq: 14 } };
    expect(retryVerdict(exhausted, NOW)).toEqual({ kind: "start", afterSeq: 14, afterAttempt: 3 });
  });

  it("starts a new chain after one that gave up without any attempt (a secret that cannot be opened)", () => {
    expect(retryVerdict({ end, lastOutcome: { seq: 11 } }, NOW)).toEqual({ kind: "start", afterSeq: 11, afterAttempt: 0 });
  });

  it("does not take an earlier chain's outcome for the end of a newer one", () => {
    const facts: DeliveryFacts = { end, lastAttempt: { seq: 20, attempt: 4, occurredAt: "2026-11-25T10:00:08.000Z", nextAttemptAt: "2026-11-25T10:00:12.000Z" }, lastOutcome: { seq: 14 } };
    expect(retryVerdict(facts, NOW)).toMatchObject({ kind: "pending", nextAttemptAt: "2026-11-25T10:00:12.000Z" });
  });

  it("lets a retry take over a chain whose due attempt is long overdue", () => {
    const stalled: DeliveryFacts = { end, lastAttempt: { seq: 11, attempt: 1, occurredAt: "2026-11-25T09:00:00.000Z", nextAttemptAt: "2026-11-25T09:00:05.000Z" } };
    expect(retryVerdict(stalled, NOW)).toEqual({ kind: "start", afterSeq: 11, afterAttempt: 1 });
    expect(retryVerdict({ end }, Date.parse(end.occurredAt) + STALLED_AFTER_MS + 1)).toEqual({ kind: "start", afterSeq: 10, afterAttempt: 0 });
    expect(retryVerdict({ end }, Date.parse(end.occurredAt) + STALLED_AFTER_MS).kind).toBe("pending");
  });
});
