// The live projector's retry schedule while Postgres is unavailable.
import { describe, expect, it } from "vitest";
import { capped } from "./projector.ts";

describe("the retry delay", () => {
  it("starts near 200 ms, doubles, and never exceeds 10 s however long the outage lasts", () => {
    expect(capped(1)).toBeGreaterThanOrEqual(150);
    expect(capped(1)).toBeLessThanOrEqual(200);
    expect(capped(3)).toBeGreaterThanOrEqual(600);
    for (const n of [10, 100, 10_000]) {
      expect(capped(n)).toBeLessThanOrEqual(10_000);
      expect(capped(n)).toBeGreaterThanOrEqual(7_500);
    }
  });
});
