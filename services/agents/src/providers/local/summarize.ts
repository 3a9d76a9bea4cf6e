// Extractive summary for the offline provider: TextRank (TF-IDF cosine graph +
// PageRank with a small lead bias) over wink-nlp sentences. Deterministic, no network.
import type { TokenItsFunction } from "wink-nlp";
import { getWink } from "./nlp.ts";
import { readWholeText } from "./document.ts";

export interface Summary {
  summary: string;
  key_points: string[];
}

const DAMPING = 0.85;
const MAX_ITERATIONS = 100;
const TOLERANCE = 1e-9;
// News-like text front-loads its point; a mild prior keeps ties and flat graphs
// from picking a late sentence without overriding a clearly central one.
const LEAD_BIAS = 1;
// Sentences this similar to one already chosen repeat it rather than add to it.
const REDUNDANT = 0.8;
const MAX_SUMMARY_SENTENCES = 3;
const MAX_KEY_POINTS = 5;

type Vector = Map<string, number>;

function summaryLength(sentences: number): number {
  if (sentences <= 1) return sentences;
  return Math.min(MAX_SUMMARY_SENTENCES, Math.ceil(sentences / 3));
}

function cosine(a: Vector, b: Vector, normA: number, normB: number): number {
  if (normA === 0 || normB === 0) return 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [term, w] of small) dot += w * (large.get(term) ?? 0);
  return dot / (normA * normB);
}

function tfidfVectors(termLists: string[][]): Vector[] {
  const df = new Map<string, number>();
  for (const terms of termLists) for (const t of new Set(terms)) df.set(t, (df.get(t) ?? 0) + 1);
  const n = termLists.length;
  return termLists.map((terms) => {
    const v: Vector = new Map();
    for (const t of terms) v.set(t, (v.get(t) ?? 0) + 1);
    // Smoothed IDF stays positive, so a term shared by every sentence still links them.
    for (const [t, tf] of v) v.set(t, tf * (Math.log((1 + n) / (1 + (df.get(t) ?? 0))) + 1));
    return v;
  });
}

function similarityMatrix(vectors: Vector[]): number[][] {
  const norms = vectors.map((v) => Math.sqrt([...v.values()].reduce((s, w) => s + w * w, 0)));
  const n = vectors.length;
  const sim = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i += 1) {
    for (let j = i + 1; j < n; j += 1) {
      const s = cosine(vectors[i]!, vectors[j]!, norms[i]!, norms[j]!);
      sim[i]![j] = s;
      sim[j]![i] = s;
    }
  }
  return sim;
}

/** Personalised PageRank; sentences without edges hand their rank to the prior. */
function pageRank(sim: number[][]): number[] {
  const n = sim.length;
  const prior = Array.from({ length: n }, (_, i) => 1 + LEAD_BIAS / (i + 1));
  const priorSum = prior.reduce((a, b) => a + b, 0);
  for (let i = 0; i < n; i += 1) prior[i]! /= priorSum;
  const outWeight = sim.map((row) => row.reduce((a, b) => a + b, 0));

  let rank = [...prior];
  for (let iter = 0; iter < MAX_ITERATIONS; iter += 1) {
    let dangling = 0;
    for (let j = 0; j < n; j += 1) if (outWeight[j] === 0) dangling += rank[j]!;
    const next = prior.map((p) => (1 - DAMPING + DAMPING * dangling) * p);
    for (let j = 0; j < n; j += 1) {
      const out = outWeight[j]!;
      if (out === 0) continue;
      const share = (DAMPING * rank[j]!) / out;
      const row = sim[j]!;
      for (let i = 0; i < n; i += 1) if (row[i]! > 0) next[i]! += share * row[i]!;
    }
    const delta = next.reduce((d, r, i) => d + Math.abs(r - rank[i]!), 0);
    rank = next;
    if (delta < TOLERANCE) break;
  }
  return rank;
}

/** Sentence indexes by rank, skipping near-repeats of better-ranked ones unless needed. */
function pickDiverse(order: number[], sim: number[][], count: number): number[] {
  const chosen: number[] = [];
  const skipped: number[] = [];
  for (const i of order) {
    if (chosen.length >= count) break;
    if (chosen.some((c) => sim[i]![c]! >= REDUNDANT)) skipped.push(i);
    else chosen.push(i);
  }
  for (const i of skipped) if (chosen.length < count) chosen.push(i);
  return chosen;
}

export function summarize(text: string, _context?: unknown): Summary {
  const { its } = getWink();
  const { doc, types, sentences } = readWholeText(text);
  if (sentences.length === 0) return { summary: "", key_points: [] };

  const tokens = doc.tokens();
  // wink's typings declare `its.stem` with a signature its own `out` does not accept,
  // though `out` does call it with the model's addons at run time.
  const stems = tokens.out(its.stem as TokenItsFunction<string>) as string[];
  const stop = tokens.out(its.stopWordFlag) as boolean[];
  const termLists = sentences.map((s) => {
    const terms: string[] = [];
    for (let t = s.firstToken; t <= s.lastToken; t += 1) {
      if (types[t] === "word" && !stop[t]) terms.push((stems[t] ?? "").toLowerCase());
    }
    return terms;
  });

  const sim = similarityMatrix(tfidfVectors(termLists));
  const rank = pageRank(sim);
  // Ties fall to the earlier sentence, which keeps the output deterministic.
  const order = sentences.map((_, i) => i).sort((a, b) => rank[b]! - rank[a]! || a - b);

  const summaryIdx = pickDiverse(order, sim, summaryLength(sentences.length)).sort((a, b) => a - b);
  const keyIdx = pickDiverse(order, sim, Math.min(MAX_KEY_POINTS, sentences.length));

  return {
    summary: summaryIdx.map((i) => sentences[i]!.text).join(" "),
    // Key points are read as a list, so line breaks inside a sentence are flattened.
    key_points: keyIdx.map((i) => sentences[i]!.text.replace(/\s+/g, " ").trim()).filter((p) => p !== ""),
  };
}
