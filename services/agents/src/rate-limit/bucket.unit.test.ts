// Unit tests of the shared rate limit's arithmetic: a continuously refilling token bucket.
import { describe, expect, it } from "vitest";
import { decodeBucket, encodeBucket, settle, take, type BucketState, type RateLimits } from "./bucket.ts";

const PER_MINUTE: RateLimits = { requestsPerWindow: 60, tokensPerWindow: 6_000, windowMs: 60_000 };

function granted(state: BucketState | null, now: number, tokens = 10) {
  const r = take(state, PER_MINUTE, now, { requests: 1, tokens });
  if (!r.granted) throw new Error(`not granted; wait ${r.waitMs}`);
  return r.state;
}

describe("the rate-limit bucket", () => {
  it("starts full and grants a window's worth at once, then says how long until the next", () => {
    let s: BucketState | null = null;
    for (let i = 0; i < 60; i += 1) s = granted(s, 0);
    expect(take(s, PER_MINUTE, 0, { requests: 1, tokens: 10 })).toEqual({ granted: false, waitMs: 1_000 });
    expect(take(s, PER_MINUTE, 1_000, { requests: 1, tokens: 10 }).granted).toBe(true);
  });

  it("waits for tokens as well as requests, whichever is scarcer", () => {
    const s = granted(null, 0, 6_000);
    expect(take(s, PER_MINUTE, 0, { requests: 1, tokens: 500 })).toEqual({ granted: false, waitMs: 5_000 });
  });

  it("caps a cost larger than a whole window so it can still be granted once the bucket is full", () => {
    expect(take(null, PER_MINUTE, 0, { requests: 1, tokens: 50_000 }).granted).toBe(true);
  });

  it("corrects an estimate after the call: more tokens used means less left, never above capacity", () => {
    const s = granted(null, 0, 100);
    expect(settle(s, PER_MINUTE, 0, 400).tokens).toBe(5_500);
    expect(settle(s, PER_MINUTE, 0, -1_000).tokens).toBe(6_000);
  });

  it("refills nothing for a clock that is behind the stored one", () => {
    const s = granted(null, 10_000);
    expect(take(s, PER_MINUTE, 5_000, { requests: 60, tokens: 0 }).granted).toBe(false);
  });

  it("is unlimited on a side without a limit, and survives a JSON round trip", () => {
    const limits: RateLimits = { requestsPerWindow: 2, tokensPerWindow: null, windowMs: 1_000 };
    const r = take(null, limits, 0, { requests: 1, tokens: 1e9 });
    expect(r.granted).toBe(true);
    if (r.granted) expect(decodeBucket(encodeBucket(r.state))).toEqual(r.state);
    expect(decodeBucket("not json")).toBeNull();
  });
});
