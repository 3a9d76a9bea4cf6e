import { describe, expect, it } from "vitest";
import { parsePrefer, waitBoundMs } from "./prefer.ts";

describe("the Prefer header", () => {
  it("reads respond-async and wait among other preferences, in any case", () => {
    expect(parsePrefer("Respond-Async, wait=5")).toEqual({ respondAsync: true, waitSeconds: 5 });
    expect(parsePrefer("return=minimal")).toEqual({ respondAsync: false, waitSeconds: undefined });
    expect(parsePrefer(undefined)).toEqual({ respondAsync: false, waitSeconds: undefined });
    expect(parsePrefer("wait=soon")).toEqual({ respondAsync: false, waitSeconds: undefined });
  });

  it("lets wait shorten the configured bound but never lengthen it", () => {
    expect(waitBoundMs({ respondAsync: false, waitSeconds: 2 }, 30_000)).toBe(2_000);
    expect(waitBoundMs({ respondAsync: false, waitSeconds: 120 }, 30_000)).toBe(30_000);
    expect(waitBoundMs({ respondAsync: false, waitSeconds: undefined }, 30_000)).toBe(30_000);
  });
});
