// One load point against a running Chorus: the load itself, then what it cost in
// JetStream messages and in CPU time per process, where the time went (from the events),
// and how far the read models trailed (from the projector's own `projected_at`).
import type { OrchestrationMode } from "@chorus/contracts";
import type { DatabasePool, JetStreamClient, JetStreamManager } from "@chorus/platform";
import type { Topology } from "@chorus/contracts";
import type { LoadResult, Sample } from "../lib/load.ts";
import { measureCpu, type CpuGroups } from "../lib/cpu.ts";
import { messageCost, type MessageCost } from "../lib/messages.ts";
import { byRequest, STAGES, stageTimes, type Stage } from "../lib/stages.ts";
import { distribution, ratePerSecond, type Distribution } from "../lib/stats.ts";
import { eventsBetween, projectedAt, projectorDrainMs, streamSequences } from "./streams.ts";

export type Bench = { js: JetStreamClient; jsm: JetStreamManager; topology: Topology; pool: DatabasePool };

export type PointResult = {
  label: string;
  mode: OrchestrationMode;
  loop: "closed" | "open";
  /** Callers (closed loop) or arrivals per second (open loop). */
  load: number;
  sent: number;
  ok: number;
  failed: number;
  /** Why calls failed, with counts. */
  failures: Record<string, number>;
  dropped: number;
  /** Completed (200, status completed) answers per second inside the window. */
  throughput: number;
  latencyMs: Distribution;
  /** Parallel mode: each stage of the critical path, ms. */
  stagesMs: Record<Stage, Distribution> | null;
  /** Parallel mode: what Chorus adds, submit → answer minus the agent stage, ms. */
  overheadMs: Distribution | null;
  /** CPU time per completed request by process (ms), over the load itself; empty when not measured. */
  cpuMsPerRequest: Record<string, number>;
  /** End event → its read-model transaction, ms. */
  projectionLagMs: Distribution;
  /** After the load stopped, until the projector had applied everything, ms. */
  projectorDrainMs: number;
  messages: MessageCost;
  /** Events already in the stream when the point began: the orchestrator's state loads grow with it on NATS 2.9. */
  eventsInStreamAtStart: number;
};

function failureCounts(samples: readonly Sample[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of samples) if (!s.ok) counts[s.failure ?? "unknown"] = (counts[s.failure ?? "unknown"] ?? 0) + 1;
  return counts;
}

export async function measurePoint(
  bench: Bench,
  label: string,
  mode: OrchestrationMode,
  loop: "closed" | "open",
  load: number,
  run: () => Promise<LoadResult>,
  cpuGroups: CpuGroups = {},
): Promise<PointResult> {
  const { js, jsm, topology: t, pool } = bench;
  const before = await streamSequences(jsm, t);
  const cpu = measureCpu(cpuGroups);
  const result = await run();
  const cpuSeconds = cpu.stop();
  const drainMs = await projectorDrainMs(jsm, t);
  const after = await streamSequences(jsm, t);
  const events = await eventsBetween(js, t, before.events, after.events);
  const groups = byRequest(events);

  const stageLists = Object.fromEntries(STAGES.map((s) => [s, [] as number[]])) as Record<Stage, number[]>;
  const overheads: number[] = [];
  if (mode === "parallel") {
    for (const sample of result.samples) {
      if (!sample.ok || !sample.requestId) continue;
      const times = stageTimes(groups.get(sample.requestId) ?? [], sample);
      if (!times) continue;
      for (const s of STAGES) stageLists[s].push(times[s]);
      overheads.push(times.total - times.agent);
    }
  }
  const projected = await projectedAt(pool, before.events + 1, after.events);
  const lags = events.flatMap((e) => {
    if (e.type !== "RequestCompleted" && e.type !== "RequestFailed") return [];
    const when = projected.get(e.seq);
    return when === undefined ? [] : [when - Date.parse(e.occurred_at)];
  });

  const ok = result.samples.filter((s) => s.ok);
  return {
    label,
    mode,
    loop,
    load,
    sent: result.sent,
    ok: ok.length,
    failed: result.sent - ok.length,
    failures: failureCounts(result.samples),
    dropped: result.dropped,
    throughput: ratePerSecond(result.completedInWindow, result.windowMs),
    latencyMs: distribution(ok.map((s) => s.respondedAt - s.submittedAt)),
    stagesMs: mode === "parallel" ? (Object.fromEntries(STAGES.map((s) => [s, distribution(stageLists[s])])) as Record<Stage, Distribution>) : null,
    overheadMs: mode === "parallel" ? distribution(overheads) : null,
    cpuMsPerRequest: Object.fromEntries(Object.entries(cpuSeconds).map(([name, seconds]) => [name, ok.length > 0 ? (seconds * 1000) / ok.length : NaN])),
    projectionLagMs: distribution(lags),
    projectorDrainMs: drainMs,
    messages: messageCost(before, after, result.sent),
    eventsInStreamAtStart: before.events,
  };
}
