// Quality measures for `npm run eval`, as pure functions: sentiment accuracy and
// macro-F1, entity precision/recall/F1 per type on exact spans, and ROUGE-1 F1 of a
// summary against reference key points.

export type Prf = { precision: number; recall: number; f1: number; support: number };

const f1Of = (p: number, r: number) => (p + r === 0 ? 0 : (2 * p * r) / (p + r));
const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

export function accuracy<L>(pairs: ReadonlyArray<{ gold: L; predicted: L }>): number {
  return ratio(pairs.filter((p) => p.gold === p.predicted).length, pairs.length);
}

/** Per-label precision/recall/F1 and their unweighted mean F1 over `labels`. */
export function macroF1<L extends string>(pairs: ReadonlyArray<{ gold: L; predicted: L }>, labels: readonly L[]): { macroF1: number; perLabel: Record<L, Prf> } {
  const perLabel = {} as Record<L, Prf>;
  for (const label of labels) {
    const tp = pairs.filter((p) => p.gold === label && p.predicted === label).length;
    const predicted = pairs.filter((p) => p.predicted === label).length;
    const gold = pairs.filter((p) => p.gold === label).length;
    const precision = ratio(tp, predicted);
    const recall = ratio(tp, gold);
    perLabel[label] = { precision, recall, f1: f1Of(precision, recall), support: gold };
  }
  const macro = labels.reduce((s, l) => s + perLabel[l].f1, 0) / Math.max(1, labels.length);
  return { macroF1: macro, perLabel };
}

export type Span = { type: string; start: number; end: number };

/** Exact-match (type, start, end) precision/recall/F1 per type, summed over documents, and micro totals. */
export function entityScores(docs: ReadonlyArray<{ gold: Span[]; predicted: Span[] }>, types: readonly string[]): Record<string, Prf> {
  const out: Record<string, Prf> = {};
  const key = (s: Span) => `${s.type}:${s.start}:${s.end}`;
  for (const type of [...types, "ALL"]) {
    let tp = 0;
    let predicted = 0;
    let gold = 0;
    for (const d of docs) {
      const g = new Set(d.gold.filter((s) => type === "ALL" || s.type === type).map(key));
      const p = new Set(d.predicted.filter((s) => type === "ALL" || s.type === type).map(key));
      gold += g.size;
      predicted += p.size;
      for (const k of p) if (g.has(k)) tp += 1;
    }
    const precision = ratio(tp, predicted);
    const recall = ratio(tp, gold);
    out[type] = { precision, recall, f1: f1Of(precision, recall), support: gold };
  }
  return out;
}

const STOP = new Set("a an the of to in on for and or is are was were be by with at from that this it its as has have had will would".split(" "));

function unigrams(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const w of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    if (STOP.has(w)) continue;
    counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  return counts;
}

/** ROUGE-1 F1 (clipped unigram overlap, stop words left out) of `candidate` against `reference`. */
export function rouge1(candidate: string, reference: string): Prf {
  const c = unigrams(candidate);
  const r = unigrams(reference);
  let overlap = 0;
  for (const [w, n] of c) overlap += Math.min(n, r.get(w) ?? 0);
  const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  const precision = ratio(overlap, total(c));
  const recall = ratio(overlap, total(r));
  return { precision, recall, f1: f1Of(precision, recall), support: total(r) };
}
