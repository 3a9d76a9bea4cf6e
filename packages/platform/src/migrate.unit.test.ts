import { describe, expect, it } from "vitest";
import { isLockConflict } from "./migrate.ts";

describe("migrations run again after a lock conflict", () => {
  it("for a deadlock or a serialization failure only", () => {
    expect(isLockConflict(Object.assign(new Error("deadlock detected"), { code: "40P01" }))).toBe(true);
    expect(isLockConflict(Object.assign(new Error("could not serialize access"), { code: "40001" }))).toBe(true);
    expect(isLockConflict(Object.assign(new Error("syntax error"), { code: "42601" }))).toBe(false);
    expect(isLockConflict(new Error("no code"))).toBe(false);
    expect(isLockConflict(undefined)).toBe(false);
  });
});
