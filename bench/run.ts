// `npm run bench`: the ceilings of this machine measured now, then Chorus end to end
// (bench and local providers), its JetStream cost per request, a BullMQ peer (also in
// alternating turns with Chorus, so the machine's drift stays out of the ratio), parallel
// vs sequential with 300 ms agents, model-bound requests on the agents' default settings
// (a 1.5 s model, 50 and 500 clients), webhook deliveries per second to a fast receiver
// alone and beside a slow one, and each service's memory. Prints a markdown table
// and writes bench/results/latest.{json,md}. Options: --seconds N (per load point; texts: eval/corpus/dev/articles.json),
// --profile (a CPU profile of every service into bench/results/profiles/).
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { connectNats, jetStreamClients } from "@chorus/platform";
import { isolatedDatabase, isolatedNats, NATS_URL, startOpenAiServer, testLogger } from "@chorus/testing";
import { httpEchoCeiling } from "./ceilings/http-echo.ts";
import { jetStreamPublishCeiling } from "./ceilings/jetstream.ts";
import { corpusTexts, processCall } from "./chorus/client.ts";
import { startCluster, type AgentSettings } from "./chorus/cluster.ts";
import { llmBoundPoints, type LlmBoundPoint } from "./chorus/llm-bound.ts";
import type { Bench } from "./chorus/measure.ts";
import { runModes, runScenario, type ScenarioResult } from "./chorus/scenario.ts";
import { webhookPoints, type WebhookPoint } from "./chorus/webhook-delivery.ts";
import { describeMachine } from "./lib/machine.ts";
import { renderReport, type AlternatedPeak, type BenchResults } from "./lib/report.ts";
import { closedLoop } from "./lib/load.ts";
import { answerAsAgent } from "./lib/scripted-agents.ts";
import { ratio } from "./lib/stats.ts";
import { alternatedPeak } from "./peer/alternated.ts";
import { bullmqPeer } from "./peer/bullmq.ts";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    profile: { type: "boolean", default: false },
  },
});
const durationMs = Number(args.seconds) * 1000;
const texts = corpusTexts();
const CONCURRENCIES = [8, 32, 64];
const OPEN_FRACTIONS = [0.5, 0.8];
const resultsDir = fileURLToPath(new URL("./results/", import.meta.url));
const log = (line: string) => process.stderr.write(`${line}\n`);
const runStarted = Date.now();
const notes: string[] = [];

const nc = await connectNats({ url: NATS_URL, name: "chorus-bench", logger: testLogger });
const { js, jsm } = await jetStreamClients(nc);
const machine = describeMachine(nc.info?.version ?? "unknown");

log("ceilings: JetStream publish …");
const jetstream = await jetStreamPublishCeiling(js, jsm);
log(`  ${jetstream.msgsPerSecond.toFixed(0)} msgs/s`);
log("ceilings: node:http echo …");
const http = await httpEchoCeiling();
log(`  ${http.reqPerSecond.toFixed(0)} req/s`);

const nats = await isolatedNats();
const db = await isolatedDatabase();
const bench: Bench = { js: nats.js, jsm: nats.jsm, topology: nats.topology, pool: db.pool };
const INSTANT: AgentSettings = { provider: "bench", delayMs: 0, concurrency: 4 };
const AGENT_LATENCY_MS = 300;
if (args.profile) mkdirSync(`${resultsDir}profiles`, { recursive: true });
const cluster = await startCluster({
  nats,
  db,
  agents: INSTANT,
  ...(args.profile ? { profileDir: `${resultsDir}profiles` } : {}),
});

const scenarios: ScenarioResult[] = [];
const modes: BenchResults["modes"] = [];
const llmBound: LlmBoundPoint[] = [];
const webhooks: WebhookPoint[] = [];
let alternated: AlternatedPeak | undefined;
/** The model latency of the model-bound phase: a hosted model's typical answer time. */
const LLM_LATENCY_MS = 1_500;
try {
  const parallel = processCall(cluster.gateway.url, texts, "parallel", cluster.apiKey);
  const sequential = processCall(cluster.gateway.url, texts, "sequential", cluster.apiKey);
  const plan = { concurrencies: CONCURRENCIES, openFractions: OPEN_FRACTIONS, durationMs, warmUpMs: 3_000 };

  // First, on a fresh cluster: every request leaves a deadline check that comes due an agent
  // timeout (60 s) later, and checks coming due during the peer's turns would slow it with
  // Chorus's own work. The rounds take well under a minute.
  log("peak against the peer in alternating turns (c=64, 3 rounds of 5 s each) …");
  await closedLoop(parallel.call, 4, 3_000); // JIT, connections
  alternated = await alternatedPeak(parallel.call, { concurrency: 64, durationMs: Math.min(durationMs, 5_000), rounds: 3 }, log);

  log("chorus, bench provider (instant agents) …");
  scenarios.push(await runScenario(bench, cluster, parallel.call, { name: "bench", ...plan }, log));

  log(`chorus, openai provider on a scripted server answering in ${AGENT_LATENCY_MS} ms: parallel vs sequential …`);
  const model = await startOpenAiServer();
  model.respondWith((request) => answerAsAgent(request, AGENT_LATENCY_MS));
  try {
    // Enough task slots that agents never queue behind each other at this load.
    await cluster.restartAgents({ provider: "openai", baseURL: model.baseURL, concurrency: 32 });
    modes.push(...(await runModes(bench, { parallel: parallel.call, sequential: sequential.call }, 8, Math.min(durationMs, 8_000), log)));
  } finally {
    await model.close();
  }

  log(`chorus, openai provider on default settings, a scripted server answering in ${LLM_LATENCY_MS} ms …`);
  const llm = await startOpenAiServer();
  try {
    await cluster.restartAgents({ provider: "openai", baseURL: llm.baseURL });
    llmBound.push(...(await llmBoundPoints({ cluster, model: llm, call: parallel.call }, { clients: [50, 500], durationMs: Math.max(durationMs, 15_000), latencyMs: LLM_LATENCY_MS }, log)));
  } finally {
    await llm.close();
  }

  log("chorus, local provider (offline NLP) …");
  await cluster.restartAgents({ provider: "local", concurrency: 4 });
  scenarios.push(await runScenario(bench, cluster, parallel.call, { name: "local", ...plan }, log));
  parallel.close();
  sequential.close();
} finally {
  await cluster.stop();
  await nats.cleanup();
  await db.cleanup();
}

log("webhooks: deliveries to a fast receiver, alone and beside a slow one …");
webhooks.push(...(await webhookPoints({ fast: 2_000, slow: 200, slowDelayMs: 9_000 }, log)));

log("peer: BullMQ flows …");
const peer = await bullmqPeer(CONCURRENCIES, durationMs, log);

const instant = scenarios.find((s) => s.name === "bench");
const closedInstant = instant?.points.filter((p) => p.loop === "closed") ?? [];
const sent = closedInstant.reduce((n, p) => n + p.sent, 0);
const messagesPerRequest = sent ? closedInstant.reduce((n, p) => n + p.messages.total, 0) / sent : NaN;
const eventBudgetRps = jetstream.msgsPerSecond / messagesPerRequest;
const chorusPeakRps = instant?.peakThroughput ?? NaN;
notes.push(
  "Load runs in the bench process on the same 2 cores as every service, NATS and Postgres: the figures are for the whole machine, not Chorus alone.",
  "The services run as npm start runs them: two processes, gateway+agents and orchestrator+projector+webhooks (services/run.ts); CPU and memory are per process. `node bench/point.ts --processes separate` runs one process per service, as compose and Kubernetes do.",
  "Latency is submit → answer of a waiting POST; open-loop latency counts from when a request was due. Only 200 with status completed counts as completed.",
  "Stages come from the events' own occurred_at (ms precision) and the client's clock on the same machine. The gateway records RequestAccepted itself, so accept covers HTTP, validation and that one acknowledged publish; dispatch covers the orchestrator's pick-up of the accepted event, its state load and the parallel AgentDispatched (one time for one decision). end = last agent outcome → the orchestrator's end decision; respond = the gateway noticing the end event and answering.",
  "Points run in this order — bench, openai 300ms, local — on one events stream that keeps growing (see 'events in stream at start'); the orchestrator's state loads read single subjects, so their cost does not grow with it.",
  "Orchestration overhead = submit → answer minus the agent stage (the run's start → its outcome) of the agent that finished last, per request.",
  "CPU time per request counts each process's user + system time over the load point (Postgres: every backend; load generator: this process), divided by the requests completed in it; 2 cores give 2,000 ms of CPU per second.",
  "Idle memory is read after a 3 s warm-up and 1 s of quiet; peak is the highest of samples every 250 ms during the load points.",
  "Projection lag = the projector's projected_at (now() of its transaction, so slightly early) minus the end event's occurred_at.",
  "Messages per request are stream sequence deltas over the bench-provider closed loops (work-queue streams delete acked messages, so counts would undercount).",
  "Agents run with AGENT_CONCURRENCY 4 (the default for the bench and local providers); 32 for the 300 ms phase, which runs the openai provider (official SDK, structured output, zod validation) against a scripted OpenAI-compatible server on this machine that answers every chat request after 300 ms.",
  "The webhook phase runs the webhooks service in the bench process on its defaults (16 sends, 4 per endpoint, circuit breaking on) on a prefix of its own; ends are published 200 at a time, the slow neighbour's first; deliveries/s is the fast receiver's, from the first fast publish to the last arrival.",
  "The model-bound phase runs the agents as a new user would: AGENT_PROVIDER=openai, a key and OPENAI_BASE_URL, nothing else set (so 256 calls in flight per replica and no shared rate limit for a server that is not OpenAI's); the server answers every call after 1.5 s. Memory per call in flight is the RSS growth of the agents' process (which also runs the gateway) over the point divided by the most calls in flight, so it includes the tasks and requests queued around them.",
);

const results: BenchResults = {
  startedAt: new Date(runStarted).toISOString(),
  durationS: (Date.now() - runStarted) / 1000,
  machine,
  settings: { secondsPerPoint: durationMs / 1000, texts: `${texts.length} articles of eval/corpus, ${Math.round(texts.reduce((n, t) => n + t.length, 0) / texts.length)} chars on average`, concurrencies: CONCURRENCIES, openFractions: OPEN_FRACTIONS, profile: args.profile },
  ceilings: { jetstream, http },
  scenarios,
  modes,
  llmBound,
  webhooks,
  budget: { messagesPerRequest, eventBudgetRps, chorusPeakRps, ratio: ratio(chorusPeakRps, eventBudgetRps) },
  peer,
  ...(alternated ? { alternated } : {}),
  notes,
};
await nc.close();

const markdown = renderReport(results);
mkdirSync(resultsDir, { recursive: true });
writeFileSync(`${resultsDir}latest.json`, `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(`${resultsDir}latest.md`, markdown);
process.stdout.write(markdown);
