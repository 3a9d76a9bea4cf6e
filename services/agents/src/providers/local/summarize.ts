// Extractive summary for the offline provider, over wink-nlp sentences: each sentence is
// scored by centrality (TextRank: PageRank over a TF-IDF cosine graph; on long texts,
// similarity to the whole text's centroid, which is linear) and by position (news and
// reports front-load their point), then picked by maximal marginal relevance so that a
// second sentence adds a new point instead of repeating the first. Deterministic.
import type { TokenItsFunction } from "wink-nlp";
import { getWink } from "./nlp.ts";
import { readWholeText } from "./document.ts";
import { pageRank } from "./textrank.ts";

export interface Summary {
  summary: string;
  key_points: string[];
}

// Past this many sentences the n² similarity graph gives way to the centroid.
const MAX_GRAPH_SENTENCES = 150;
// Score = centrality share + position share (both scaled to [0, 1]).
const POSITION_WEIGHT = 0.7;
// MMR: relevance against redundancy with what is already chosen.
const MMR_LAMBDA = 0.75;
// A sentence this similar to one already chosen restates it: taken only if nothing else is left.
const RESTATES = 0.8;
// Sentences this short rarely carry a point of their own ("Shares fell.").
const MIN_WORDS = 5;
// A summary keeps about this share of a text's sentences, within these bounds.
const SUMMARY_RATIO = 0.5;
const MAX_SUMMARY_SENTENCES = 4;
const MAX_KEY_POINTS = 5;

type Vector = Map<string, number>;

function summaryLength(sentences: number): number {
  if (sentences <= 2) return sentences;
  return Math.min(MAX_SUMMARY_SENTENCES, Math.max(2, Math.round(sentences * SUMMARY_RATIO)));
}

function normOf(v: Vector): number {
  let s = 0;
  for (const w of v.values()) s += w * w;
  return Math.sqrt(s);
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

/** Centrality per sentence in [0, 1]: TextRank on short texts, centroid similarity on long ones. */
function centrality(vectors: Vector[], norms: number[]): number[] {
  const n = vectors.length;
  let raw: number[];
  if (n <= MAX_GRAPH_SENTENCES) {
    const sim = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    for (let i = 0; i < n; i += 1) {
      for (let j = i + 1; j < n; j += 1) {
        const s = cosine(vectors[i]!, vectors[j]!, norms[i]!, norms[j]!);
        sim[i]![j] = s;
        sim[j]![i] = s;
      }
    }
    raw = pageRank(sim);
  } else {
    const centroid: Vector = new Map();
    for (const v of vectors) for (const [t, w] of v) centroid.set(t, (centroid.get(t) ?? 0) + w);
    const cNorm = normOf(centroid);
    raw = vectors.map((v, i) => cosine(v, centroid, norms[i]!, cNorm));
  }
  const max = Math.max(...raw, 1e-12);
  return raw.map((r) => r / max);
}

/** Sentence indexes by maximal marginal relevance: relevant, and unlike those already chosen. */
function pickByMmr(relevance: number[], vectors: Vector[], norms: number[], count: number): number[] {
  const chosen: number[] = [];
  const redundancy = new Array<number>(relevance.length).fill(0);
  while (chosen.length < Math.min(count, relevance.length)) {
    let best = -1;
    let bestScore = -Infinity;
    for (let i = 0; i < relevance.length; i += 1) {
      if (chosen.includes(i)) continue;
      const s = MMR_LAMBDA * relevance[i]! - (1 - MMR_LAMBDA) * redundancy[i]! - (redundancy[i]! >= RESTATES ? 1 : 0);
      if (s > bestScore) {
        bestScore = s;
        best = i;
      }
    }
    chosen.push(best);
    for (let i = 0; i < relevance.length; i += 1) {
      redundancy[i] = Math.max(redundancy[i]!, cosine(vectors[i]!, vectors[best]!, norms[i]!, norms[best]!));
    }
  }
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
  const wordCounts: number[] = [];
  const termLists = sentences.map((s) => {
    const terms: string[] = [];
    let words = 0;
    for (let t = s.firstToken; t <= s.lastToken; t += 1) {
      if (types[t] !== "word") continue;
      words += 1;
      if (!stop[t]) terms.push((stems[t] ?? "").toLowerCase());
    }
    wordCounts.push(words);
    return terms;
  });
  const vectors = tfidfVectors(termLists);
  const norms = vectors.map(normOf);
  const central = centrality(vectors, norms);
  const relevance = central.map((c, i) => {
    const position = 1 / Math.sqrt(i + 1);
    const brevity = wordCounts[i]! < MIN_WORDS ? 0.5 : 1;
    return ((1 - POSITION_WEIGHT) * c + POSITION_WEIGHT * position) * brevity;
  });
  const summaryIdx = pickByMmr(relevance, vectors, norms, summaryLength(sentences.length)).sort((a, b) => a - b);
  const keyIdx = pickByMmr(relevance, vectors, norms, Math.min(MAX_KEY_POINTS, sentences.length));
  return {
    summary: summaryIdx.map((i) => sentences[i]!.text).join(" "),
    // Key points are read as a list, so line breaks inside a sentence are flattened.
    key_points: keyIdx.map((i) => sentences[i]!.text.replace(/\s+/g, " ").trim()).filter((p) => p !== ""),
  };
}
