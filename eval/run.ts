// `npm run eval`: runs each agent over the labelled corpus in eval/corpus with whichever
// provider the environment configures (AGENT_PROVIDER, OPENAI_*: as the agents service
// reads them) and prints sentiment accuracy and macro-F1, entity P/R/F1 per type, and
// ROUGE-1 of summaries against reference key points. An entry point, so it reads the env.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { ENTITY_TYPES, EntitiesOutput, SENTIMENT_LABELS, SentimentOutput, SummaryOutput, type AgentId } from "@chorus/contracts";
import { envInt, loadConfig } from "@chorus/platform";
import { PROVIDER_SETTINGS, selectProvider } from "../services/agents/src/providers/select.ts";
import { accuracy, entityScores, macroF1, rouge1 } from "./metrics.ts";

const EvalConfig = z.object({
  AGENT_PROVIDER: z.string().trim().toLowerCase().pipe(z.enum(PROVIDER_SETTINGS)).default("auto"),
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.url().optional(),
  OPENAI_MODEL: z.string().min(1).default("gpt-4o-mini"),
  OPENAI_TIMEOUT_MS: envInt(100, 3600_000).default(60_000),
});
const config = loadConfig(EvalConfig, process.env);
const provider = selectProvider({
  setting: config.AGENT_PROVIDER,
  openAiApiKey: config.OPENAI_API_KEY,
  openAi: {
    baseURL: config.OPENAI_BASE_URL,
    model: config.OPENAI_MODEL,
    timeoutMs: config.OPENAI_TIMEOUT_MS,
    retry: { retries: 4, minDelayMs: 1_000, maxDelayMs: 30_000 },
    maxInputTokens: 100_000,
  },
});
await provider.prepare?.();

const corpus = (name: string): unknown => JSON.parse(readFileSync(new URL(`./corpus/${name}`, import.meta.url), "utf8"));
const sentiments = z.array(z.object({ text: z.string(), label: z.enum(SENTIMENT_LABELS) })).parse(corpus("sentiment.json"));
const paragraphs = z.array(z.object({ text: z.string(), entities: EntitiesOutput.shape.entities })).parse(corpus("entities.json"));
const articles = z.array(z.object({ text: z.string(), key_points: z.array(z.string()) })).parse(corpus("articles.json"));

async function run(agent: AgentId, text: string): Promise<unknown> {
  const r = await provider.analyze({ agent, text, context: {}, signal: AbortSignal.timeout(120_000) });
  return r.output;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const f3 = (x: number) => x.toFixed(3);

console.log(`provider: ${provider.name}; models: summarizer=${provider.modelFor("summarizer")}, sentiment=${provider.modelFor("sentiment")}, entity_extractor=${provider.modelFor("entity_extractor")}\n`);

const sentimentPairs = [];
for (const s of sentiments) sentimentPairs.push({ gold: s.label, predicted: SentimentOutput.parse(await run("sentiment", s.text)).label });
const sentimentF1 = macroF1(sentimentPairs, SENTIMENT_LABELS);
console.log(`sentiment (${sentiments.length} sentences): accuracy ${pct(accuracy(sentimentPairs))}, macro-F1 ${f3(sentimentF1.macroF1)}`);
for (const label of SENTIMENT_LABELS) {
  const s = sentimentF1.perLabel[label];
  console.log(`  ${label.padEnd(9)} P ${f3(s.precision)}  R ${f3(s.recall)}  F1 ${f3(s.f1)}  (n=${s.support})`);
}

const entityDocs = [];
for (const p of paragraphs) entityDocs.push({ gold: p.entities, predicted: EntitiesOutput.parse(await run("entity_extractor", p.text)).entities });
const scores = entityScores(entityDocs, ENTITY_TYPES);
console.log(`\nentities (${paragraphs.length} paragraphs, exact spans):`);
for (const type of [...ENTITY_TYPES, "ALL"]) {
  const s = scores[type]!;
  console.log(`  ${type.padEnd(12)} P ${f3(s.precision)}  R ${f3(s.recall)}  F1 ${f3(s.f1)}  (n=${s.support})`);
}

let rougeSum = 0;
for (const a of articles) rougeSum += rouge1(SummaryOutput.parse(await run("summarizer", a.text)).summary, a.key_points.join(" ")).f1;
console.log(`\nsummaries (${articles.length} articles): ROUGE-1 F1 against reference key points ${f3(rougeSum / articles.length)}`);
