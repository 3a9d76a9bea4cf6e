// The targets table: each goal against what was measured, from the results alone.
import { describe, expect, it } from "vitest";
import type { PointResult } from "../chorus/measure.ts";
import { renderReport, targets, type BenchResults } from "./report.ts";
import { distribution } from "./stats.ts";

function point(overrides: Partial<PointResult>): PointResult {
  return {
    label: "p", mode: "parallel", loop: "closed", load: 8, sent: 10, ok: 10, failed: 0, failures: {}, dropped: 0, throughput: 10,
    latencyMs: distribution([10]), stagesMs: null, overheadMs: null, cpuMsPerRequest: {}, projectionLagMs: distribution([]), projectorDrainMs: 0,
    messages: { events: 0, commands: 0, tasks: 0, total: 0, perRequest: 0, perRequestByStream: { events: 0, commands: 0, tasks: 0 } },
    eventsInStreamAtStart: 0,
    ...overrides,
  };
}

function results(overrides: Partial<BenchResults>): BenchResults {
  return {
    startedAt: "", durationS: 0, settings: {}, notes: [],
    machine: { cpu: "", cores: 2, ramGiB: 1, node: "", natsServer: "", platform: "", loadAtStart: 0 },
    ceilings: { jetstream: { messages: 1, inFlight: 1, sizeBytes: 1024, msgsPerSecond: 1800 }, http: { connections: 1, durationS: 1, reqPerSecond: 1, latencyP50Ms: 0, latencyP99Ms: 0 } },
    scenarios: [], modes: [],
    budget: { messagesPerRequest: 18, eventBudgetRps: 100, chorusPeakRps: 60, ratio: 0.6 },
    peer: { name: "BullMQ", points: [{ concurrency: 8, throughput: 50, latencyMs: distribution([1]), failed: 0 }, { concurrency: 32, throughput: 120, latencyMs: distribution([1]), failed: 0 }] },
    ...overrides,
  } as BenchResults;
}

describe("the targets table", () => {
  it("meets the budget goal at 60% and weighs the peer goal (half the peer) against the peer's best point", () => {
    const [budget, peer] = targets(results({}));
    expect(budget).toMatchObject({ met: true, ratio: 1.2 });
    expect(peer).toMatchObject({ met: true, ratio: 1, measured: "60.0 / 120.0 req/s = 0.50×" });
    const [, behind] = targets(results({ budget: { messagesPerRequest: 18, eventBudgetRps: 100, chorusPeakRps: 30, ratio: 0.3 } }));
    expect(behind).toMatchObject({ met: false, ratio: 0.5 });
  });

  it("weighs the alternated turns by the median of their rounds' ratios, and shows each round", () => {
    const rounds = [
      { chorus: 400, peer: 1000, ratio: 0.4 },
      { chorus: 450, peer: 800, ratio: 0.5625 },
      { chorus: 500, peer: 900, ratio: 500 / 900 },
    ];
    const r = results({ alternated: { concurrency: 64, secondsPerTurn: 5, rounds, medianRatio: 500 / 900 } });
    expect(targets(r).find((t) => t.what.includes("alternating"))).toMatchObject({ met: true, measured: "400.0 / 1000.0, 450.0 / 800.0, 500.0 / 900.0 req/s → 0.56×" });
    expect(renderReport(r)).toContain("| 2 | 450.0 | 800.0 | 0.56 |");
    expect(targets(results({ alternated: { skipped: "no Redis" } })).some((t) => t.what.includes("alternating"))).toBe(false);
    expect(renderReport(results({ alternated: { skipped: "no Redis" } }))).toContain("Not run: no Redis");
  });

  it("weighs the offline provider's peak and the model-bound point of 50 clients", () => {
    const llm = (clients: number, rps: number, p50: number) => ({
      clients, modelLatencyMs: 1_500, sent: 100, completedPerSecond: rps, latencyMs: distribution([p50]), failures: {}, peakModelCallsInFlight: 150,
      agentsRssMiB: { idle: 200, peak: 220 }, agentsKiBPerCallInFlight: 136,
    });
    const rows = targets(
      results({
        scenarios: [{ name: "local", points: [point({})], peakThroughput: 150, rssIdleMiB: {}, rssPeakMiB: {} }],
        llmBound: [llm(50, 27.5, 1_600), llm(500, 48, 9_000)],
      }),
    );
    expect(rows.find((r) => r.what.includes("offline"))).toMatchObject({ met: false, ratio: 0.75 });
    expect(rows.find((r) => r.what.includes("throughput") && r.what.includes("model-bound"))).toMatchObject({ met: true, ratio: 1.1 });
    expect(rows.find((r) => r.what.includes("p50") && r.what.includes("model-bound"))).toMatchObject({ met: true, ratio: 1.25 });
  });

  it("takes the overhead from the first open-loop point of the bench provider and the 300 ms p50 from the parallel mode", () => {
    const open = point({ loop: "open", load: 30, overheadMs: distribution(Array.from({ length: 100 }, (_, i) => i + 1)) });
    const rows = targets(results({ scenarios: [{ name: "bench", points: [point({}), open], peakThroughput: 60, rssIdleMiB: {}, rssPeakMiB: {} }], modes: [point({ latencyMs: distribution([300]) })] }));
    expect(rows.map((r) => r.what)).toEqual([
      expect.stringContaining("event-budget"),
      expect.stringContaining("BullMQ"),
      "orchestration overhead p50 at half of peak (30/s)",
      "orchestration overhead p99 at half of peak (30/s)",
      "parallel mode, 300 ms agents, p50",
    ]);
    expect(rows[2]?.met).toBe(false);
    expect(rows[4]).toMatchObject({ met: true, measured: "300 ms" });
  });
});

describe("the webhook phase's table", () => {
  it("shows each point's rate and latency, naming the slow neighbour", () => {
    const webhooks = [
      { fast: 2000, slow: 0, slowDelayMs: 9000, delivered: 2000, perSecond: 301.4, latencyMs: { p50: 26, p95: 153, max: 205 } },
      { fast: 2000, slow: 200, slowDelayMs: 9000, delivered: 2000, perSecond: 273, latencyMs: { p50: 21, p95: 67, max: 189 } },
    ];
    const markdown = renderReport(results({ webhooks }));
    expect(markdown).toContain("| none | 2000 | 2000 | 301 | 26 / 153 / 205 |");
    expect(markdown).toContain("| 200 deliveries answered after 9.0 s, queued first | 2000 | 2000 | 273 | 21 / 67 / 189 |");
    expect(renderReport(results({}))).not.toContain("Webhook deliveries");
  });
});
