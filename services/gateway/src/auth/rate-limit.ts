// Each key's rate limit as a generic cell rate algorithm (GCRA): one number per key, the
// theoretical arrival time, allows `limit` requests per minute with the whole minute's
// budget available as a burst. Pure; rate-limiter.ts keeps the number in a NATS KV bucket
// shared by every gateway replica.

export const WINDOW_MS = 60_000;

export type RateDecision = {
  allowed: boolean;
  /** The state to store: unchanged when refused. */
  tat: number;
  limit: number;
  /** Requests still allowed right now. */
  remaining: number;
  /** Seconds until the whole budget is back. */
  resetSeconds: number;
  /** Seconds until one request is allowed again (refused only). */
  retryAfterSeconds: number;
};

/** Decides one request at `now` against the stored theoretical arrival time (0 when none). */
export function decideRate(storedTat: number, limit: number, now: number): RateDecision {
  const interval = WINDOW_MS / limit;
  const next = Math.max(storedTat, now) + interval;
  const allowed = next - now <= WINDOW_MS;
  const tat = allowed ? next : Math.max(storedTat, now);
  const used = tat - now;
  return {
    allowed,
    tat,
    limit,
    remaining: Math.max(0, Math.floor((WINDOW_MS - used) / interval)),
    resetSeconds: Math.max(0, Math.ceil(used / 1000)),
    retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((next - now - WINDOW_MS) / 1000)),
  };
}

/** The IETF RateLimit and RateLimit-Policy headers (draft-ietf-httpapi-ratelimit-headers) for a decision. */
export function rateLimitHeaders(d: Pick<RateDecision, "limit" | "remaining" | "resetSeconds">): Record<string, string> {
  return {
    "RateLimit-Policy": `"per-key";q=${d.limit};w=${WINDOW_MS / 1000}`,
    RateLimit: `"per-key";r=${d.remaining};t=${d.resetSeconds}`,
  };
}
