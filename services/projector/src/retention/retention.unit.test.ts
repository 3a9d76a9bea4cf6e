import { describe, expect, it } from "vitest";
import { msUntilNextRun, retentionCutoff } from "./policy.ts";

describe("retention policy", () => {
  it("cuts off rows older than the configured number of days", () => {
    expect(retentionCutoff(new Date("2026-03-31T12:00:00Z"), 30)?.toISOString()).toBe("2026-03-01T12:00:00.000Z");
  });

  it("keeps everything when the age is 0", () => {
    expect(retentionCutoff(new Date("2026-03-31T12:00:00Z"), 0)).toBeNull();
  });

  it("runs later today when the hour is still ahead, else at that hour tomorrow", () => {
    expect(msUntilNextRun(new Date("2026-03-31T01:30:00Z"), 3)).toBe(90 * 60_000);
    expect(msUntilNextRun(new Date("2026-03-31T03:00:00Z"), 3)).toBe(24 * 3600_000);
    expect(msUntilNextRun(new Date("2026-03-31T23:00:00Z"), 3)).toBe(4 * 3600_000);
  });
});
