// A burst of sentiment tasks against a scripted OpenAI-compatible server that allows
// `--server-rpm` requests a minute (429 with Retry-After beyond), drained by agent
// replicas sharing the NATS KV rate limit. Prints how many 429s reached the server and
// how long the burst took to drain. Not a test: a measurement.
//   node bench/openai-burst.ts --tasks 1000 --server-rpm 600 --client-rpm 600 --replicas 2
//   node bench/openai-burst.ts --tasks 200 --server-rpm 60 --client-rpm 60
//   --client-rpm 0 turns the shared limit off (each call just retries on 429).
import { parseArgs } from "node:util";
import { connectNats, jetStreamClients } from "@chorus/platform";
import { completionReply, isolatedNats, NATS_URL, startOpenAiServer, testLogger } from "@chorus/testing";
import { openAiProvider } from "../services/agents/src/providers/openai/index.ts";
import { kvRateLimiter, rateLimitBucket, rateLimitKey, unlimited, withSlots } from "../services/agents/src/rate-limit/index.ts";
import { startAgents, type Agents } from "../services/agents/src/start-agents.ts";
import { agentTask, publishTask, tasksLeft } from "../services/agents/src/agent-tasks.fixtures.ts";

const { values: args } = parseArgs({
  options: {
    tasks: { type: "string", default: "1000" },
    "server-rpm": { type: "string", default: "60" },
    "client-rpm": { type: "string", default: "60" },
    replicas: { type: "string", default: "2" },
    concurrency: { type: "string", default: "8" },
  },
});
const N = Number(args.tasks);
const serverRpm = Number(args["server-rpm"]);
const clientRpm = Number(args["client-rpm"]);
const replicas = Number(args.replicas);
const concurrency = Number(args.concurrency);

const nats = await isolatedNats();
const server = await startOpenAiServer();
server.rateLimit({ requests: serverRpm, windowMs: 60_000 });
server.respondWith(() => completionReply({ label: "positive", score: 0.5, confidence: 0.9 }));

const running: Agents[] = [];
const closers: Array<() => Promise<unknown>> = [];
let retries = 0;
for (let i = 0; i < replicas; i += 1) {
  const nc = await connectNats({ url: NATS_URL, name: `burst-${i}`, logger: testLogger });
  closers.push(() => nc.close());
  const { js, jsm } = await jetStreamClients(nc);
  const shared =
    clientRpm > 0
      ? await kvRateLimiter({ js, bucket: rateLimitBucket(nats.topology), key: rateLimitKey(server.baseURL), limits: { requestsPerWindow: clientRpm, tokensPerWindow: null, windowMs: 60_000 } })
      : unlimited;
  const provider = openAiProvider(
    { apiKey: "sk-bench", baseURL: server.baseURL, model: "gpt-4o-mini", timeoutMs: 30_000, retry: { retries: 8, minDelayMs: 1_000, maxDelayMs: 60_000 }, maxInputTokens: 10_000 },
    { limiter: withSlots(concurrency, shared), onRetry: () => void (retries += 1) },
  );
  running.push(
    await startAgents({ js, jsm, topology: nats.topology, logger: testLogger, provider, agents: ["sentiment"], concurrency, ackWaitMs: 30_000, maxDeliver: 10 }),
  );
}

const started = performance.now();
const deadline = new Date(Date.now() + 3600_000).toISOString();
await Promise.all(Array.from({ length: N }, () => publishTask(nats, agentTask("sentiment", { deadline_at: deadline }))));
const published = performance.now();

/** Outcome events recorded so far, by kind. */
async function outcomes(kind: "completed" | "failed"): Promise<number> {
  const info = await nats.jsm.streams.info(nats.topology.streams.events, { subjects_filter: nats.topology.subjects.requestEvent("*", `agent.sentiment.${kind}`) });
  return Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0);
}

let lastReport = 0;
for (;;) {
  const left = await tasksLeft(nats);
  const counts = server.statusCounts();
  if (left === 0 && (await outcomes("completed")) + (await outcomes("failed")) >= N) break;
  if (performance.now() - lastReport > 10_000) {
    lastReport = performance.now();
    console.log(`  ${((performance.now() - started) / 1000).toFixed(0)} s: ${counts[200] ?? 0} answered, ${counts[429] ?? 0} 429s, ${left} tasks queued`);
  }
  await new Promise((r) => setTimeout(r, 200));
}
const drained = performance.now();
const counts = server.statusCounts();
console.log(
  JSON.stringify({
    tasks: N,
    server_rpm: serverRpm,
    client_rpm: clientRpm || "off",
    replicas,
    concurrency_per_replica: concurrency,
    publish_s: +((published - started) / 1000).toFixed(2),
    drain_s: +((drained - started) / 1000).toFixed(1),
    completed: await outcomes("completed"),
    failed: await outcomes("failed"),
    answered_200: counts[200] ?? 0,
    rejected_429: counts[429] ?? 0,
    client_retries: retries,
    ideal_drain_s: +(Math.max(0, N - serverRpm) / (serverRpm / 60)).toFixed(1),
  }),
);

await Promise.all(running.map((a) => a.stop()));
for (const c of closers) await c();
await nats.jsm.streams.delete(`KV_${rateLimitBucket(nats.topology)}`).catch(() => undefined);
await server.close();
await nats.cleanup();
process.exit(0);
