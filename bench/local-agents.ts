// CPU per request of the offline `local` provider alone: the three agents (summary,
// sentiment, entities) on one text, as one request runs them, over the eval corpus's
// articles and entity paragraphs. Each round numbers its texts so that no reading is
// served from the shared parse cache of an earlier round.
//   node bench/local-agents.ts [--rounds 20]
import { parseArgs } from "node:util";
import { AGENT_IDS } from "@chorus/contracts";
import { localProvider } from "../services/agents/src/providers/local/provider.ts";
import { loadSplit, SPLITS } from "../eval/corpus.ts";

const { values: args } = parseArgs({ options: { rounds: { type: "string", default: "20" } } });
const rounds = Number(args.rounds);
const provider = localProvider();
await provider.prepare?.();

const texts = SPLITS.flatMap((split) => {
  const c = loadSplit(split);
  return [...c.articles.map((a) => a.text), ...c.entities.map((p) => p.text)];
});
const signal = new AbortController().signal;

async function request(text: string): Promise<void> {
  for (const agent of AGENT_IDS) await provider.analyze({ agent, text, context: {}, signal });
}

// One untimed round lets V8 optimise the hot paths first.
for (const text of texts) await request(`Warm-up. ${text}`);
const cpu = process.cpuUsage();
const wall = performance.now();
for (let r = 0; r < rounds; r += 1) for (const text of texts) await request(`Round ${r}. ${text}`);
const used = process.cpuUsage(cpu);
const requests = rounds * texts.length;
const ms = (used.user + used.system) / 1000;
const chars = Math.round(texts.reduce((n, t) => n + t.length, 0) / texts.length);
console.log(
  `${requests} requests (${texts.length} texts, ${chars} chars on average): ` +
    `${(ms / requests).toFixed(2)} ms CPU per request (3 agents), ${(requests / ((performance.now() - wall) / 1000)).toFixed(0)} req/s on one core`,
);
