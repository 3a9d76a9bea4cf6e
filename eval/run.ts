// `npm run eval`: runs each agent over the labelled corpus (eval/corpus/dev and the
// held-out eval/corpus/test) with whichever provider the environment configures
// (AGENT_PROVIDER, OPENAI_*: as the agents service reads them) and prints, for each
// split, sentiment accuracy and macro-F1 (per label and per slice), entity P/R/F1 on exact
// spans (per type and per genre), and ROUGE-1 of summaries against reference key points
// (per genre). Tune on dev only; the test figures are the ones to quote. An entry point,
// so it reads the env. `--split dev|test` runs one split.
import { parseArgs } from "node:util";
import { z } from "zod";
import { ENTITY_TYPES, EntitiesOutput, SENTIMENT_LABELS, SentimentOutput, SummaryOutput, type AgentId } from "@chorus/contracts";
import { envInt, loadConfig } from "@chorus/platform";
import { PROVIDER_SETTINGS, selectProvider } from "../services/agents/src/providers/select.ts";
import { loadSplit, SPLITS, type Split } from "./corpus.ts";
import { accuracy, entityScores, macroF1, rouge1 } from "./metrics.ts";

const EvalConfig = z.object({
  AGENT_PROVIDER: z.string().trim().toLowerCase().pipe(z.enum(PROVIDER_SETTINGS)).default("auto"),
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.url().optional(),
  OPENAI_MODEL: z.string().min(1).default("gpt-4o-mini"),
  OPENAI_TIMEOUT_MS: envInt(100, 3600_000).default(60_000),
});
const config = loadConfig(EvalConfig, process.env);
const { values: args } = parseArgs({ options: { split: { type: "string" } } });
const splits: readonly Split[] = args.split === undefined ? SPLITS : [z.enum(SPLITS).parse(args.split)];

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

async function run(agent: AgentId, text: string): Promise<unknown> {
  const r = await provider.analyze({ agent, text, context: {}, signal: AbortSignal.timeout(120_000) });
  return r.output;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const f3 = (x: number) => x.toFixed(3);

/** Items grouped by a key, groups in first-seen order. */
function groups<T>(items: readonly T[], key: (t: T) => string): Array<[string, T[]]> {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return [...out];
}

async function evaluate(split: Split): Promise<void> {
  const corpus = loadSplit(split);
  console.log(`\n=== ${split} set ===`);

  const sentiment = [];
  for (const s of corpus.sentiment) {
    sentiment.push({ ...s, gold: s.label, predicted: SentimentOutput.parse(await run("sentiment", s.text)).label });
  }
  const f1 = macroF1(sentiment, SENTIMENT_LABELS);
  console.log(`sentiment (${sentiment.length} sentences): accuracy ${pct(accuracy(sentiment))}, macro-F1 ${f3(f1.macroF1)}`);
  for (const label of SENTIMENT_LABELS) {
    const s = f1.perLabel[label];
    console.log(`  ${label.padEnd(16)} P ${f3(s.precision)}  R ${f3(s.recall)}  F1 ${f3(s.f1)}  (n=${s.support})`);
  }
  for (const [slice, items] of groups(sentiment, (s) => s.slice)) {
    console.log(`  slice ${slice.padEnd(16)} accuracy ${pct(accuracy(items))}  (n=${items.length})`);
  }

  const docs = [];
  for (const p of corpus.entities) {
    docs.push({ genre: p.genre, gold: p.entities, predicted: EntitiesOutput.parse(await run("entity_extractor", p.text)).entities });
  }
  const scores = entityScores(docs, ENTITY_TYPES);
  console.log(`entities (${docs.length} paragraphs, exact spans):`);
  for (const type of [...ENTITY_TYPES, "ALL"]) {
    const s = scores[type]!;
    console.log(`  ${type.padEnd(16)} P ${f3(s.precision)}  R ${f3(s.recall)}  F1 ${f3(s.f1)}  (n=${s.support})`);
  }
  for (const [genre, items] of groups(docs, (d) => d.genre)) {
    const s = entityScores(items, ENTITY_TYPES).ALL!;
    console.log(`  genre ${genre.padEnd(10)} micro-F1 ${f3(s.f1)}  (n=${s.support})`);
  }

  const summaries = [];
  for (const a of corpus.articles) {
    const summary = SummaryOutput.parse(await run("summarizer", a.text)).summary;
    summaries.push({ genre: a.genre ?? "news", rouge: rouge1(summary, a.key_points.join(" ")).f1 });
  }
  const mean = (xs: ReadonlyArray<{ rouge: number }>) => xs.reduce((s, x) => s + x.rouge, 0) / Math.max(1, xs.length);
  console.log(`summaries (${summaries.length} articles): ROUGE-1 F1 against reference key points ${f3(mean(summaries))}`);
  for (const [genre, items] of groups(summaries, (s) => s.genre)) console.log(`  genre ${genre.padEnd(10)} ROUGE-1 ${f3(mean(items))}  (n=${items.length})`);
}

console.log(`provider: ${provider.name}; models: summarizer=${provider.modelFor("summarizer")}, sentiment=${provider.modelFor("sentiment")}, entity_extractor=${provider.modelFor("entity_extractor")}`);
for (const split of splits) await evaluate(split);
