// One closed-loop load point against a fresh Chorus, for profiling between full runs:
// throughput, latency, the stage breakdown and the CPU time per request of every process.
// `node bench/point.ts --concurrency 32 --seconds 10 [--rate N] [--provider local|openai] [--model-ms 300] [--profile DIR] [--auth off] [--env NAME=value …] [--after S] [--processes separate]`
// (--provider openai runs the agents' openai provider against a scripted OpenAI-compatible
// server on this machine answering every call after --model-ms, as npm run bench's 300 ms phase)
// (--profile writes a CPU profile of every process under DIR, one folder per process).
import { parseArgs } from "node:util";
import { isolatedDatabase, isolatedNats, startOpenAiServer } from "@chorus/testing";
import { corpusTexts, processCall } from "./chorus/client.ts";
import { startCluster, type AgentSettings } from "./chorus/cluster.ts";
import { measurePoint } from "./chorus/measure.ts";
import { cpuGroupsOf } from "./chorus/scenario.ts";
import { eventsBetween, streamSequences } from "./chorus/streams.ts";
import { answerAsAgent } from "./lib/scripted-agents.ts";
import { distribution } from "./lib/stats.ts";
import { measureCpu } from "./lib/cpu.ts";
import { closedLoop, openLoop } from "./lib/load.ts";

const { values: args } = parseArgs({
  options: {
    concurrency: { type: "string", default: "32" },
    // An open loop at this many requests a second instead of the closed loop.
    rate: { type: "string" },
    seconds: { type: "string", default: "10" },
    provider: { type: "string", default: "bench" },
    "model-ms": { type: "string", default: "300" },
    profile: { type: "string" },
    // `off` runs without API keys (CHORUS_AUTH=off), to see what keys cost.
    auth: { type: "string", default: "required" },
    // Then this many seconds without load, whose CPU is what the point's requests cost after it
    // (their deadline checks come due AGENT_TIMEOUT_MS after each accept; pass a shorter one with --env).
    after: { type: "string", default: "0" },
    // `separate`: one process per service, instead of the processes npm start runs; or a layout
    // in START_PROCESSES's form, e.g. "gateway,agents orchestrator,webhooks projector".
    processes: { type: "string", default: "npm-start" },
    // Settings for every service, NAME=value, repeatable (to A/B one setting).
    env: { type: "string", multiple: true, default: [] },
  },
});
const concurrency = Number(args.concurrency);
const provider = args.provider === "local" || args.provider === "openai" ? args.provider : "bench";

const nats = await isolatedNats();
const db = await isolatedDatabase();
const model = provider === "openai" ? await startOpenAiServer() : undefined;
model?.respondWith((request) => answerAsAgent(request, Number(args["model-ms"])));
const agents: AgentSettings =
  provider === "local" ? { provider, concurrency: 4 } : model ? { provider: "openai", baseURL: model.baseURL, concurrency: 32 } : { provider: "bench", delayMs: 0, concurrency: 4 };
const env = Object.fromEntries(
  args.env.map((kv) => {
    const at = kv.indexOf("=");
    if (at < 1) throw new Error(`--env takes NAME=value, not ${JSON.stringify(kv)}`);
    return [kv.slice(0, at), kv.slice(at + 1)];
  }),
);
const cluster = await startCluster({ nats, db, auth: args.auth !== "off", agents, env, processes: args.processes, ...(args.profile ? { profileDir: args.profile } : {}) });
try {
  const parallel = processCall(cluster.gateway.url, corpusTexts(), "parallel", cluster.apiKey);
  await closedLoop(parallel.call, 4, 3_000); // JIT, connections
  const bench = { js: nats.js, jsm: nats.jsm, topology: nats.topology, pool: db.pool };
  const before = await streamSequences(nats.jsm, nats.topology);
  const rate = args.rate === undefined ? undefined : Number(args.rate);
  const windowMs = Number(args.seconds) * 1000;
  const p =
    rate === undefined
      ? await measurePoint(bench, "point", "parallel", "closed", concurrency, () => closedLoop(parallel.call, concurrency, windowMs), cpuGroupsOf(cluster))
      : await measurePoint(bench, "point", "parallel", "open", rate, () => openLoop(parallel.call, rate, windowMs), cpuGroupsOf(cluster));
  parallel.close();
  // At once, before this script's own reads below: the window starts as the load ends.
  let later: (readonly [string, number])[] = [];
  if (Number(args.after) > 0) {
    const idle = measureCpu(cpuGroupsOf(cluster));
    await new Promise((r) => setTimeout(r, Number(args.after) * 1000));
    later = Object.entries(idle.stop()).map(([name, seconds]) => [name, (seconds * 1000) / p.ok] as const).sort(([, a], [, b]) => b - a);
  }
  // Each agent run's own time (its outcome's duration_ms): the provider call, without orchestration.
  const after = await streamSequences(nats.jsm, nats.topology);
  const runs = (await eventsBetween(nats.js, nats.topology, before.events, after.events)).flatMap((e) =>
    e.type === "AgentCompleted" || e.type === "AgentFailed" ? [(e.data as { duration_ms?: number | null }).duration_ms ?? NaN] : [],
  );
  const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "–");
  console.log(`${provider}, ${rate === undefined ? `closed c=${concurrency}` : `open ${rate}/s`}: ${p.throughput.toFixed(1)} req/s, p50 ${ms(p.latencyMs.p50)} ms, p99 ${ms(p.latencyMs.p99)} ms, failed ${p.failed}`);
  if (p.stagesMs) console.log(`stages p50: ${Object.entries(p.stagesMs).map(([stage, d]) => `${stage} ${ms(d.p50)}`).join(", ")}; overhead p50 / p99 ${ms(p.overheadMs?.p50 ?? NaN)} / ${ms(p.overheadMs?.p99 ?? NaN)} ms`);
  const run = distribution(runs.filter(Number.isFinite));
  console.log(`agent runs (duration_ms): p50 ${ms(run.p50)} ms, p90 ${ms(run.p90)} ms, ${run.count} runs`);
  const cpu = Object.entries(p.cpuMsPerRequest).sort(([, a], [, b]) => b - a);
  console.log(`CPU ms per request: ${cpu.map(([name, v]) => `${name} ${v.toFixed(2)}`).join(", ")}; total ${cpu.reduce((n, [, v]) => n + v, 0).toFixed(2)}`);
  if (later.length > 0) {
    console.log(`CPU ms per request over the ${args.after} s after the load: ${later.map(([name, v]) => `${name} ${v.toFixed(2)}`).join(", ")}; total ${later.reduce((n, [, v]) => n + v, 0).toFixed(2)}`);
  }
} finally {
  await cluster.stop();
  await model?.close();
  await nats.cleanup();
  await db.cleanup();
}
