// A provider's run against Chorus: closed loops at a few concurrencies, then open loops
// at fractions of the best closed-loop rate, with each service's memory at idle and peak.
import type { OrchestrationMode } from "@chorus/contracts";
import { pidsNamed, type CpuGroups } from "../lib/cpu.ts";
import { closedLoop, openLoop, type Call } from "../lib/load.ts";
import { rssMiB, sampleRss } from "../lib/rss.ts";
import type { Cluster } from "./cluster.ts";
import { measurePoint, type Bench, type PointResult } from "./measure.ts";

export type ScenarioPlan = { name: string; concurrencies: number[]; openFractions: number[]; durationMs: number; warmUpMs: number };

export type ScenarioResult = {
  name: string;
  points: PointResult[];
  peakThroughput: number;
  rssIdleMiB: Record<string, number>;
  rssPeakMiB: Record<string, number>;
};

function pidsOf(cluster: Cluster): Record<string, number> {
  return Object.fromEntries(Object.entries(cluster.services()).flatMap(([name, s]) => (s.process.pid ? [[name, s.process.pid]] : [])));
}

/** Whose CPU time a point counts: each service, the NATS server, Postgres (every backend) and this load generator. */
export function cpuGroupsOf(cluster: Cluster): CpuGroups {
  const services = Object.fromEntries(Object.entries(pidsOf(cluster)).map(([name, pid]) => [name, () => [pid]]));
  return { ...services, "nats-server": () => pidsNamed("nats-server"), postgres: () => pidsNamed("postgres"), "load generator": () => [process.pid] };
}

export async function runScenario(bench: Bench, cluster: Cluster, call: Call, plan: ScenarioPlan, log: (line: string) => void): Promise<ScenarioResult> {
  const mode: OrchestrationMode = "parallel";
  await closedLoop(call, 4, plan.warmUpMs); // JIT, connections, the provider's first calls
  await new Promise((r) => setTimeout(r, 1_000));
  const pids = pidsOf(cluster);
  const rssIdleMiB = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, rssMiB(pid)]));
  const sampler = sampleRss(pids);
  const points: PointResult[] = [];
  for (const c of plan.concurrencies) {
    const p = await measurePoint(bench, `${plan.name} closed c=${c}`, mode, "closed", c, () => closedLoop(call, c, plan.durationMs), cpuGroupsOf(cluster));
    log(`  ${p.label}: ${p.throughput.toFixed(1)} req/s, p50 ${p.latencyMs.p50.toFixed(0)} ms, p99 ${p.latencyMs.p99.toFixed(0)} ms, failed ${p.failed}${p.failed ? ` ${JSON.stringify(p.failures)}` : ""}`);
    points.push(p);
  }
  const peakThroughput = Math.max(...points.map((p) => p.throughput));
  for (const f of plan.openFractions) {
    const rate = Math.max(1, Math.round(peakThroughput * f));
    const p = await measurePoint(bench, `${plan.name} open ${Math.round(f * 100)}% (${rate}/s)`, mode, "open", rate, () => openLoop(call, rate, plan.durationMs), cpuGroupsOf(cluster));
    log(`  ${p.label}: ${p.throughput.toFixed(1)} req/s, p50 ${p.latencyMs.p50.toFixed(0)} ms, p99 ${p.latencyMs.p99.toFixed(0)} ms, failed ${p.failed}${p.failed ? ` ${JSON.stringify(p.failures)}` : ""}`);
    points.push(p);
  }
  return { name: plan.name, points, peakThroughput, rssIdleMiB, rssPeakMiB: sampler.stop() };
}

/** p50 of a waiting POST in each mode at a low concurrency, with agents of a fixed latency. */
export async function runModes(bench: Bench, calls: Record<OrchestrationMode, Call>, concurrency: number, durationMs: number, log: (line: string) => void): Promise<PointResult[]> {
  const points: PointResult[] = [];
  for (const mode of ["parallel", "sequential"] as const) {
    // After restartAgents, which under npm start's layout restarts the gateway too: JIT and connections again.
    await closedLoop(calls[mode], 2, 3_000);
    const p = await measurePoint(bench, `openai 300ms ${mode} c=${concurrency}`, mode, "closed", concurrency, () => closedLoop(calls[mode], concurrency, durationMs));
    log(`  ${p.label}: p50 ${p.latencyMs.p50.toFixed(0)} ms, p99 ${p.latencyMs.p99.toFixed(0)} ms, ${p.throughput.toFixed(1)} req/s`);
    points.push(p);
  }
  return points;
}
