// When a deadline check looks again.
import { describe, expect, it } from "vitest";
import { msUntilDeadline } from "./deadline.ts";
import { at, deadlineCheck } from "./scenario.fixtures.ts";

describe("msUntilDeadline", () => {
  it("is the time left before the deadline, and 0 once it has passed", () => {
    const check = deadlineCheck("summarizer", 1_000);
    expect(msUntilDeadline(check, at(250))).toBe(750);
    expect(msUntilDeadline(check, at(1_000))).toBe(0);
    expect(msUntilDeadline(check, at(5_000))).toBe(0);
  });
});
