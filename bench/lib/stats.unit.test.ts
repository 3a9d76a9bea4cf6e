// Unit tests of the bench's arithmetic: percentiles, distributions, rates and message cost.
import { describe, expect, it } from "vitest";
import { messageCost } from "./messages.ts";
import { distribution, percentile, ratePerSecond, ratio } from "./stats.ts";

describe("percentiles", () => {
  it("takes the nearest rank, so p50 of 1..10 is 5 and p90 is 9", () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(sorted, 0.5)).toBe(5);
    expect(percentile(sorted, 0.9)).toBe(9);
    expect(percentile(sorted, 0.99)).toBe(10);
    expect(percentile(sorted, 0)).toBe(1);
  });

  it("is NaN for no values rather than a made-up zero", () => {
    expect(percentile([], 0.5)).toBeNaN();
    expect(distribution([]).p99).toBeNaN();
  });

  it("sorts before it ranks and reports count, mean and max", () => {
    expect(distribution([30, 10, 20, 40])).toEqual({ count: 4, mean: 25, p50: 20, p90: 40, p99: 40, max: 40 });
  });
});

describe("rates", () => {
  it("turns a count over a window into a per-second rate", () => {
    expect(ratePerSecond(250, 10_000)).toBe(25);
    expect(ratePerSecond(5, 0)).toBeNaN();
  });

  it("gives no ratio against a missing or zero figure", () => {
    expect(ratio(30, 120)).toBe(0.25);
    expect(ratio(30, 0)).toBeNaN();
    expect(ratio(NaN, 10)).toBeNaN();
  });
});

describe("messages per request", () => {
  it("counts stream sequence deltas of events, commands and tasks per request", () => {
    const cost = messageCost({ events: 100, commands: 10, tasks: 20 }, { events: 210, commands: 50, tasks: 50 }, 10);
    expect(cost.total).toBe(180);
    expect(cost.perRequest).toBe(18);
    expect(cost.perRequestByStream).toEqual({ events: 11, commands: 4, tasks: 3 });
  });
});
