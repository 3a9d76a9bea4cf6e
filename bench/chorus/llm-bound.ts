// The model-bound phase of the benchmark: closed loops of waiting POSTs against Chorus
// whose agents call a scripted OpenAI-compatible server with a fixed latency, on the
// agents' default settings. What it shows is how much of a request's time is queueing
// inside Chorus (ideal: one model latency), how answers end when clients outnumber what
// the limits allow, and what one call in flight costs the agents in memory.
import type { ScriptedOpenAiServer } from "@chorus/testing";
import { closedLoop, type Call } from "../lib/load.ts";
import { rssMiB, sampleRss } from "../lib/rss.ts";
import { answerAsAgent } from "../lib/scripted-agents.ts";
import { distribution, ratePerSecond, type Distribution } from "../lib/stats.ts";
import type { Cluster } from "./cluster.ts";

export type LlmBoundPoint = {
  clients: number;
  modelLatencyMs: number;
  sent: number;
  completedPerSecond: number;
  /** Answered 200 completed, by submit → answer. */
  latencyMs: Distribution;
  /** How the other answers ended: "202 processing", "429 …", an error message. */
  failures: Record<string, number>;
  /** Most model calls the server had in flight at once. */
  peakModelCallsInFlight: number;
  agentsRssMiB: { idle: number; peak: number };
  /** (peak − idle) ÷ peak calls in flight. */
  agentsKiBPerCallInFlight: number;
};

export async function llmBoundPoints(
  run: { cluster: Cluster; model: ScriptedOpenAiServer; call: Call },
  plan: { clients: number[]; durationMs: number; latencyMs: number },
  log: (line: string) => void,
): Promise<LlmBoundPoint[]> {
  let inFlight = 0;
  let peak = 0;
  run.model.respondWith((request) => {
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    setTimeout(() => (inFlight -= 1), plan.latencyMs).unref();
    return answerAsAgent(request, plan.latencyMs);
  });
  const agentsPid = () => run.cluster.processOf("agents")?.process.pid ?? 0;
  await closedLoop(run.call, 4, 2 * plan.latencyMs + 1_000); // connections, JIT
  const points: LlmBoundPoint[] = [];
  for (const clients of plan.clients) {
    await new Promise((r) => setTimeout(r, plan.latencyMs + 1_000)); // the previous point's tail
    peak = 0;
    const idle = rssMiB(agentsPid());
    const rss = sampleRss({ agents: agentsPid() });
    log(`  ${clients} clients, model answering in ${plan.latencyMs} ms …`);
    const load = await closedLoop(run.call, clients, plan.durationMs);
    const peakRss = rss.stop().agents ?? NaN;
    const ok = load.samples.filter((s) => s.ok);
    const failures: Record<string, number> = {};
    for (const s of load.samples) if (!s.ok) failures[s.failure ?? "unknown"] = (failures[s.failure ?? "unknown"] ?? 0) + 1;
    const point: LlmBoundPoint = {
      clients,
      modelLatencyMs: plan.latencyMs,
      sent: load.sent,
      completedPerSecond: ratePerSecond(load.completedInWindow, load.windowMs),
      latencyMs: distribution(ok.map((s) => s.respondedAt - s.submittedAt)),
      failures,
      peakModelCallsInFlight: peak,
      agentsRssMiB: { idle, peak: peakRss },
      agentsKiBPerCallInFlight: peak > 0 ? ((peakRss - idle) * 1024) / peak : NaN,
    };
    log(
      `  → ${point.completedPerSecond.toFixed(1)} req/s, p50 ${point.latencyMs.p50.toFixed(0)} ms, p99 ${point.latencyMs.p99.toFixed(0)} ms, ` +
        `${peak} model calls in flight at most, other answers ${JSON.stringify(failures)}`,
    );
    points.push(point);
  }
  return points;
}
