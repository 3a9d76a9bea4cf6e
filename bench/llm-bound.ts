// The real workload: model-bound requests on the agents' default settings. Chorus with
// AGENT_PROVIDER=openai against a scripted OpenAI-compatible server that answers every
// call after `--latency` ms; `--clients` callers each send a waiting POST (parallel, three
// agents) and the next when it is answered. Prints throughput, latency, how answers
// ended (200 completed, 202 still running, 429/503) and the agents' memory per call in
// flight. `npm run bench` runs it as a phase; alone:
//   node bench/llm-bound.ts --clients 50 --seconds 20 [--latency 1500]
import { parseArgs } from "node:util";
import { isolatedDatabase, isolatedNats, startOpenAiServer } from "@chorus/testing";
import { corpusTexts, processCall } from "./chorus/client.ts";
import { startCluster } from "./chorus/cluster.ts";
import { llmBoundPoints } from "./chorus/llm-bound.ts";

const { values: args } = parseArgs({
  options: {
    clients: { type: "string", default: "50,500" },
    seconds: { type: "string", default: "20" },
    latency: { type: "string", default: "1500" },
  },
});

const nats = await isolatedNats();
const db = await isolatedDatabase();
const model = await startOpenAiServer();
const cluster = await startCluster({ nats, db, agents: { provider: "openai", baseURL: model.baseURL } });
try {
  const parallel = processCall(cluster.gateway.url, corpusTexts(), "parallel", cluster.apiKey);
  const points = await llmBoundPoints(
    { cluster, model, call: parallel.call },
    { clients: args.clients.split(",").map(Number), durationMs: Number(args.seconds) * 1000, latencyMs: Number(args.latency) },
    (line) => process.stderr.write(`${line}\n`),
  );
  parallel.close();
  for (const p of points) console.log(JSON.stringify(p));
} finally {
  await cluster.stop();
  await model.close();
  await nats.cleanup();
  await db.cleanup();
}
