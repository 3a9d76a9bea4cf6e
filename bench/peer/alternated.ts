// Chorus's peak against the peer's, taken in alternating turns on the same machine within a
// minute: this VM's speed drifts by a third between phases minutes apart (the peer's own
// peak has ranged from 760 to 1,540 req/s across runs), so a ratio of two peaks measured
// minutes apart says as much about the drift as about either system. Each round is one turn
// of each, at the same concurrency; the median of the rounds' ratios is reported.
import { closedLoop, type Call } from "../lib/load.ts";
import type { AlternatedPeak, AlternatedRound } from "../lib/report.ts";
import { ratePerSecond } from "../lib/stats.ts";
import { startBullmqPeer } from "./bullmq.ts";

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function throughput(call: Call, concurrency: number, durationMs: number): Promise<number> {
  const r = await closedLoop(call, concurrency, durationMs);
  return ratePerSecond(r.completedInWindow, r.windowMs);
}

/**
 * `chorus` must be warm, and have no deferred work due during the rounds (its requests'
 * deadline checks come due an agent timeout later); the peer is started and warmed here.
 */
export async function alternatedPeak(
  chorus: Call,
  plan: { concurrency: number; durationMs: number; rounds: number },
  log: (line: string) => void,
): Promise<AlternatedPeak> {
  let peer;
  try {
    peer = await startBullmqPeer();
  } catch (err) {
    return { skipped: `the peer did not start: ${err instanceof Error ? err.message : String(err)}` };
  }
  try {
    // Both warmed at the rounds' own concurrency first, so the first turn is not the one that pays for it.
    await throughput(chorus, plan.concurrency, 3_000);
    await throughput(peer.call, plan.concurrency, 3_000);
    const rounds: AlternatedRound[] = [];
    for (let i = 0; i < plan.rounds; i++) {
      // Who goes first alternates too, so neither always runs right after the other's load.
      const first = i % 2 === 0 ? "chorus" : "peer";
      const run = (who: "chorus" | "peer") => throughput(who === "chorus" ? chorus : peer.call, plan.concurrency, plan.durationMs);
      const a = await run(first);
      const b = await run(first === "chorus" ? "peer" : "chorus");
      const [c, p] = first === "chorus" ? [a, b] : [b, a];
      rounds.push({ chorus: c, peer: p, ratio: c / p });
      log(`  round ${i + 1}: Chorus ${c.toFixed(1)} req/s, peer ${p.toFixed(1)} req/s, ${(c / p).toFixed(2)}×`);
    }
    return { concurrency: plan.concurrency, secondsPerTurn: plan.durationMs / 1000, rounds, medianRatio: median(rounds.map((r) => r.ratio)) };
  } finally {
    await peer.close();
  }
}
