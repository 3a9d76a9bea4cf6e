// The peer: the same three-agent fan-out/fan-in as BullMQ flows, instant workers in a
// child process, driven by the same closed loops as Chorus; queues cleaned up after.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { FlowProducer, Queue, QueueEvents } from "bullmq";
import { uniqueName } from "@chorus/testing";
import { corpusTexts } from "../chorus/client.ts";
import { closedLoop, type Call } from "../lib/load.ts";
import type { PeerPoint, PeerResult } from "../lib/report.ts";
import { distribution, ratePerSecond } from "../lib/stats.ts";
import { AGENT_QUEUES, bullmqOptions, describeBackend, flowOf, PARENT_QUEUE, type PeerBackend } from "./flow.ts";

/** The machine's Redis, where the peer's queues live (each run under a prefix of its own). */
const REDIS = { host: "127.0.0.1", port: 6379 };

/** A running peer: its call (one flow, answered when the parent job completes), ready once returned. */
export type RunningPeer = { name: string; call: Call; missedNotifications(): number; close(): Promise<void> };

/** Starts the peer's queues and its workers' child process, and warms it up. */
export async function startBullmqPeer(texts = corpusTexts()): Promise<RunningPeer> {
  const backend: PeerBackend = { ...REDIS, prefix: uniqueName("chorus_bench") };
  const name = describeBackend(backend);
  const options = bullmqOptions(backend);
  const queues = [PARENT_QUEUE, ...AGENT_QUEUES].map((q) => new Queue(q, options));
  const flows = new FlowProducer(options);
  const events = new QueueEvents(PARENT_QUEUE, options);
  flows.setMaxListeners(0); // every waiting call adds a listener
  const workers = spawn(process.execPath, [fileURLToPath(new URL("./workers.ts", import.meta.url)), JSON.stringify(backend), "64"], { stdio: ["ignore", "pipe", "inherit"] });
  const close = async () => {
    workers.kill("SIGTERM");
    await new Promise((r) => (workers.exitCode === null ? workers.once("exit", r) : r(null)));
    for (const q of queues) await q.obliterate({ force: true }).catch(() => undefined);
    await Promise.all([...queues.map((q) => q.close()), events.close(), flows.close()]);
  };
  try {
    await events.waitUntilReady();
    await new Promise<void>((resolve, reject) => {
      workers.once("exit", (code) => reject(new Error(`BullMQ workers exited with ${code}`)));
      workers.stdout.on("data", (d: Buffer) => d.toString().includes("ready") && resolve());
    });
    // Waiters are registered before the flow is added (its id is ours), so a fast finish is not missed;
    // a finish notification that never comes is found by polling the parent's state, and counted.
    const waiting = new Map<string, () => void>();
    events.on("completed", ({ jobId }: { jobId: string }) => waiting.get(jobId)?.());
    let missedNotifications = 0;
    let sent = 0;
    const parent = queues[0] as Queue;
    const call = async () => {
      const jobId = randomUUID();
      const finished = new Promise<void>((resolve) => waiting.set(jobId, resolve));
      try {
        await flows.add({ ...flowOf(texts[sent++ % texts.length] as string), opts: { jobId } });
        for (let polls = 0; ; polls++) {
          const notified = await Promise.race([finished.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 1_000))]);
          if (notified) break;
          if ((await parent.getJobState(jobId)) === "completed") {
            missedNotifications += 1;
            break;
          }
          if (polls > 30) return { ok: false };
        }
        return { ok: true, requestId: jobId };
      } finally {
        waiting.delete(jobId);
      }
    };
    await closedLoop(call, 4, 2_000);
    return { name, call, missedNotifications: () => missedNotifications, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The peer's closed loops at each concurrency; skipped (with why) if it cannot run here. */
export async function bullmqPeer(concurrencies: number[], durationMs: number, log: (line: string) => void, texts = corpusTexts()): Promise<PeerResult> {
  let peer: RunningPeer;
  try {
    peer = await startBullmqPeer(texts);
  } catch (err) {
    return { name: describeBackend({ ...REDIS, prefix: "" }), skipped: `failed: ${err instanceof Error ? err.message : String(err)}` };
  }
  try {
    const points: PeerPoint[] = [];
    for (const c of concurrencies) {
      const r = await closedLoop(peer.call, c, durationMs);
      const ok = r.samples.filter((s) => s.ok);
      const point = { concurrency: c, throughput: ratePerSecond(r.completedInWindow, r.windowMs), latencyMs: distribution(ok.map((s) => s.respondedAt - s.submittedAt)), failed: r.sent - ok.length };
      log(`  ${peer.name} c=${c}: ${point.throughput.toFixed(1)} req/s, p50 ${point.latencyMs.p50.toFixed(0)} ms, failed ${point.failed}`);
      points.push(point);
    }
    const missed = peer.missedNotifications();
    if (missed) log(`  ${missed} finish notifications never arrived (found by polling after 1 s)`);
    return { name: peer.name, points, ...(missed ? { note: `${missed} finish notifications never arrived; those requests were found by polling after 1 s` } : {}) };
  } catch (err) {
    return { name: peer.name, skipped: `failed: ${err instanceof Error ? err.message : String(err)}` };
  } finally {
    await peer.close();
  }
}
