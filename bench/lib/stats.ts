// Percentiles and rates over plain numbers: the arithmetic every benchmark phase shares.
// Pure: no I/O, no clocks.

export type Distribution = { count: number; mean: number; p50: number; p90: number; p99: number; max: number };

/** Nearest-rank percentile of an ascending array (q in 0..1); NaN when empty. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((s, v) => s + v, 0);
  return {
    count: sorted.length,
    mean: sorted.length ? sum / sorted.length : NaN,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    max: sorted.length ? (sorted.at(-1) as number) : NaN,
  };
}

/** Events per second, or NaN for an empty window. */
export function ratePerSecond(count: number, windowMs: number): number {
  return windowMs > 0 ? (count * 1000) / windowMs : NaN;
}

/** `a / b`, NaN when either is not a positive finite number. */
export function ratio(a: number, b: number): number {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN;
}
