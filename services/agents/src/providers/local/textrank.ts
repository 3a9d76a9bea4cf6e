// PageRank over a sentence-similarity graph (TextRank's centrality), as a pure function.
const DAMPING = 0.85;
const MAX_ITERATIONS = 100;
const TOLERANCE = 1e-9;

/** Rank per node of a symmetric weighted graph; nodes without edges hand their rank on evenly. */
export function pageRank(sim: number[][]): number[] {
  const n = sim.length;
  if (n === 0) return [];
  const outWeight = sim.map((row) => row.reduce((a, b) => a + b, 0));
  let rank = new Array<number>(n).fill(1 / n);
  for (let iter = 0; iter < MAX_ITERATIONS; iter += 1) {
    let dangling = 0;
    for (let j = 0; j < n; j += 1) if (outWeight[j] === 0) dangling += rank[j]!;
    const next = new Array<number>(n).fill((1 - DAMPING + DAMPING * dangling) / n);
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
