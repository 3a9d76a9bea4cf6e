// A burst of submissions through the whole pipeline (gateway, orchestrator, agents on the
// openai provider, projector) against a scripted OpenAI-compatible server that allows
// `--server-rpm` chat requests a minute (429 with Retry-After beyond). The agents share
// the limit through NATS KV (OPENAI_RPM_LIMIT). Prints how many 429s reached the server,
// how many chat calls were made per agent run, and how long the burst took to drain.
//   node bench/openai-pipeline-burst.ts --requests 1000 --server-rpm 60
// Each request is three chat calls: 1,000 requests at 60 a minute take about 50 minutes.
import { parseArgs } from "node:util";
import { AGENT_IDS } from "@chorus/contracts";
import { startOpenAiServer, startPipeline } from "@chorus/testing";
import { corpusTexts } from "./chorus/client.ts";
import { answerAsAgent } from "./lib/scripted-agents.ts";

const { values: args } = parseArgs({
  options: {
    requests: { type: "string", default: "1000" },
    "server-rpm": { type: "string", default: "60" },
  },
});
const N = Number(args.requests);
const serverRpm = Number(args["server-rpm"]);

const server = await startOpenAiServer();
server.rateLimit({ requests: serverRpm, windowMs: 60_000 });
server.respondWith((request) => answerAsAgent(request));

// Every run must be able to wait its turn: the deadline covers the whole burst.
const expectedMinutes = (N * AGENT_IDS.length) / serverRpm;
const pipeline = await startPipeline({
  env: { AGENT_TIMEOUT_MS: String(Math.ceil((expectedMinutes + 10) * 60_000)) },
  agentsEnv: { AGENT_PROVIDER: "openai", OPENAI_API_KEY: "sk-bench", OPENAI_BASE_URL: server.baseURL, OPENAI_RPM_LIMIT: String(serverRpm), OPENAI_MAX_RETRIES: "8" },
});
const { nats, gateway } = pipeline;
const texts = corpusTexts();

const started = performance.now();
const accepted = await Promise.all(
  Array.from({ length: N }, async (_, i) => {
    const res = await fetch(`${gateway.url}/api/v1/process`, {
      method: "POST",
      headers: { "content-type": "application/json", prefer: "respond-async" },
      body: JSON.stringify({ text: texts[i % texts.length], orchestration_mode: "parallel" }),
    });
    await res.body?.cancel();
    return res.status;
  }),
);
const submittedS = (performance.now() - started) / 1000;

const count = async (suffix: string) => {
  const info = await nats.jsm.streams.info(nats.topology.streams.events, { subjects_filter: nats.topology.subjects.requestEvent("*", suffix) });
  return Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0);
};
let lastReport = 0;
for (;;) {
  const ended = (await count("completed")) + (await count("failed"));
  if (ended >= N) break;
  if (performance.now() - lastReport > 60_000) {
    lastReport = performance.now();
    const c = server.statusCounts();
    console.log(`  ${((performance.now() - started) / 1000).toFixed(0)} s: ${ended} ended, ${c[200] ?? 0} answered, ${c[429] ?? 0} 429s`);
  }
  await new Promise((r) => setTimeout(r, 1_000));
}
const drainedS = (performance.now() - started) / 1000;
const counts = server.statusCounts();
const outcomes = { completed: 0, failed: 0 };
for (const agent of AGENT_IDS) {
  outcomes.completed += await count(`agent.${agent}.completed`);
  outcomes.failed += await count(`agent.${agent}.failed`);
}
console.log(
  JSON.stringify({
    requests: N,
    accepted_202: accepted.filter((s) => s === 202).length,
    server_rpm: serverRpm,
    submit_s: +submittedS.toFixed(1),
    drain_s: +drainedS.toFixed(1),
    ideal_drain_s: +((Math.max(0, N * AGENT_IDS.length - serverRpm) / serverRpm) * 60).toFixed(1),
    requests_completed: await count("completed"),
    requests_failed: await count("failed"),
    agent_runs_completed: outcomes.completed,
    agent_runs_failed: outcomes.failed,
    chat_requests: server.chatRequests().length,
    answered_200: counts[200] ?? 0,
    rejected_429: counts[429] ?? 0,
  }),
);
await pipeline.stop();
await server.close();
