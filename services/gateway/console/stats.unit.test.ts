// The overview's figures: requests of the last hour by 5-minute bucket and outcome,
// latency percentiles (nearest rank) from accept to end, and webhook outcomes.
import { describe, expect, it } from "vitest";
import { percentile, windowStats, type ListedRequest } from "./stats.js";

const NOW = Date.parse("2026-11-30T11:00:00.000Z");
const ago = (minutes: number, tookMs: number | null, status = "completed", webhook: string | null = null): ListedRequest => {
  const created = NOW - minutes * 60_000;
  return { status, created_at: new Date(created).toISOString(), completed_at: tookMs === null ? null : new Date(created + tookMs).toISOString(), webhook: webhook ? { status: webhook } : null };
};

describe("percentile", () => {
  it("is the nearest-rank value, and null for no values", () => {
    const values = [50, 10, 40, 20, 30, 60, 70, 80, 90, 100];
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(100);
    expect(percentile(values, 10)).toBe(10);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });
});

describe("windowStats", () => {
  it("counts the last hour's requests by bucket and outcome, leaving older ones out", () => {
    const stats = windowStats([ago(1, 100), ago(2, 300, "failed"), ago(3, null, "processing"), ago(59, 200, "partial"), ago(61, 50), ago(300, 50)], NOW);
    expect(stats.total).toBe(4);
    expect(stats.buckets).toHaveLength(12);
    expect(stats.outcomes).toEqual({ completed: 1, partial: 1, failed: 1, unfinished: 1 });
    expect(stats.buckets.at(-1)).toMatchObject({ completed: 1, failed: 1, unfinished: 1, partial: 0 });
    expect(stats.buckets[0]).toMatchObject({ partial: 1 });
    expect(stats.latency).toEqual({ count: 3, p50: 200, p95: 300, p99: 300 });
  });

  it("counts webhook outcomes", () => {
    const stats = windowStats([ago(1, 10, "completed", "delivered"), ago(2, 10, "completed", "delivered"), ago(3, 10, "failed", "exhausted"), ago(4, 10, "completed", "pending"), ago(5, 10)], NOW);
    expect(stats.webhooks).toEqual({ delivered: 2, pending: 1, failed: 0, exhausted: 1 });
  });

  it("has empty buckets and null percentiles for an hour without requests", () => {
    const stats = windowStats([], NOW);
    expect(stats.total).toBe(0);
    expect(stats.latency.p50).toBeNull();
    expect(stats.buckets.every((b) => b.completed + b.partial + b.failed + b.unfinished === 0)).toBe(true);
  });
});
