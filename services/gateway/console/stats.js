// The overview's figures for the last hour, from a list of requests as GET /api/v1/results
// answers them: submissions per bucket by outcome, latency percentiles (accept to end),
// failures, and webhook outcomes. Pure: requests and a clock in, figures out.

export const OUTCOMES = ["completed", "partial", "failed", "unfinished"];

/** The nearest-rank percentile `p` (0–100) of `values`, or null for none. */
export function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

function outcomeOf(status) {
  return status === "completed" || status === "partial" || status === "failed" ? status : "unfinished";
}

/**
 * `requests`: RequestViews, any order, any age (older ones are left out). Buckets of
 * `bucketMinutes` cover the `windowMinutes` up to `now`, oldest first.
 */
export function windowStats(requests, now, { windowMinutes = 60, bucketMinutes = 5 } = {}) {
  const bucketMs = bucketMinutes * 60_000;
  const count = Math.ceil(windowMinutes / bucketMinutes);
  const start = now - count * bucketMs;
  const buckets = Array.from({ length: count }, (_, i) => ({ from: start + i * bucketMs, completed: 0, partial: 0, failed: 0, unfinished: 0, latencies: [] }));
  const outcomes = { completed: 0, partial: 0, failed: 0, unfinished: 0 };
  const webhooks = { delivered: 0, pending: 0, failed: 0, exhausted: 0 };
  const latencies = [];
  let total = 0;
  for (const r of requests) {
    const created = Date.parse(r.created_at);
    if (!(created >= start && created <= now)) continue;
    total += 1;
    const bucket = buckets[Math.min(count - 1, Math.floor((created - start) / bucketMs))];
    const outcome = outcomeOf(r.status);
    bucket[outcome] += 1;
    outcomes[outcome] += 1;
    if (r.completed_at) {
      const ms = Date.parse(r.completed_at) - created;
      latencies.push(ms);
      bucket.latencies.push(ms);
    }
    if (r.webhook && r.webhook.status in webhooks) webhooks[r.webhook.status] += 1;
  }
  return {
    from: start,
    to: now,
    total,
    outcomes,
    webhooks,
    latency: { count: latencies.length, p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99) },
    buckets: buckets.map(({ latencies: own, ...b }) => ({ ...b, p50: percentile(own, 50), p95: percentile(own, 95) })),
  };
}
