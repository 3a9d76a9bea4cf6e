// Types of stats.js, for the unit tests (the browser reads the .js as it is).
export const OUTCOMES: readonly ["completed", "partial", "failed", "unfinished"];
export type Outcomes = { completed: number; partial: number; failed: number; unfinished: number };
export type Bucket = Outcomes & { from: number; p50: number | null; p95: number | null };
export type WindowStats = {
  from: number;
  to: number;
  total: number;
  outcomes: Outcomes;
  webhooks: { delivered: number; pending: number; failed: number; exhausted: number };
  latency: { count: number; p50: number | null; p95: number | null; p99: number | null };
  buckets: Bucket[];
};
export type ListedRequest = { status: string; created_at: string; completed_at: string | null; webhook: { status: string } | null };
export function percentile(values: readonly number[], p: number): number | null;
export function windowStats(requests: readonly ListedRequest[], now: number, options?: { windowMinutes?: number; bucketMinutes?: number }): WindowStats;
