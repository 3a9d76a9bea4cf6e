// The shared rate limit as pure arithmetic: a token bucket per limit (requests and
// tokens per window) that refills continuously, as OpenAI's own limits do. State in,
// state out; where it is kept (a NATS KV entry) is the limiter's business.

/** Limits per window; null means unlimited. */
export type RateLimits = {
  requestsPerWindow: number | null;
  tokensPerWindow: number | null;
  /** 60 000 for "per minute"; shorter in tests. */
  windowMs: number;
};

/** What is available at `at` (epoch ms). `tokens` may be negative: calls that used more than estimated. */
export type BucketState = { requests: number; tokens: number; at: number };

export type Cost = { requests: number; tokens: number };

export type Take = { granted: true; state: BucketState } | { granted: false; waitMs: number };

const capacityOf = (limit: number | null) => (limit === null ? Number.POSITIVE_INFINITY : limit);

/** A bucket that has never been used is full. */
function fullBucket(limits: RateLimits, now: number): BucketState {
  return { requests: capacityOf(limits.requestsPerWindow), tokens: capacityOf(limits.tokensPerWindow), at: now };
}

function refillOne(available: number, limit: number | null, elapsedMs: number, windowMs: number): number {
  if (limit === null) return Number.POSITIVE_INFINITY;
  return Math.min(limit, available + (limit * elapsedMs) / windowMs);
}

/** The bucket as it stands at `now`. A clock behind the stored one refills nothing rather than going back. */
function refill(state: BucketState, limits: RateLimits, now: number): BucketState {
  const elapsed = Math.max(0, now - state.at);
  return {
    requests: refillOne(state.requests, limits.requestsPerWindow, elapsed, limits.windowMs),
    tokens: refillOne(state.tokens, limits.tokensPerWindow, elapsed, limits.windowMs),
    at: Math.max(now, state.at),
  };
}

function waitFor(available: number, needed: number, limit: number | null, windowMs: number): number {
  if (limit === null || available >= needed) return 0;
  return Math.ceil(((needed - available) * windowMs) / limit);
}

/**
 * Takes `cost` from the bucket if it is there, else says how long until it will be.
 * A cost larger than a whole window is capped at the window, or it could never be granted.
 */
export function take(current: BucketState | null, limits: RateLimits, now: number, cost: Cost): Take {
  const state = refill(current ?? fullBucket(limits, now), limits, now);
  const requests = Math.min(cost.requests, capacityOf(limits.requestsPerWindow));
  const tokens = Math.min(cost.tokens, capacityOf(limits.tokensPerWindow));
  const waitMs = Math.max(
    waitFor(state.requests, requests, limits.requestsPerWindow, limits.windowMs),
    waitFor(state.tokens, tokens, limits.tokensPerWindow, limits.windowMs),
  );
  if (waitMs > 0) return { granted: false, waitMs };
  return { granted: true, state: { requests: state.requests - requests, tokens: state.tokens - tokens, at: state.at } };
}

/** Corrects the token count once the real usage is known (positive `extraTokens`: used more than estimated). */
export function settle(current: BucketState | null, limits: RateLimits, now: number, extraTokens: number): BucketState {
  const state = refill(current ?? fullBucket(limits, now), limits, now);
  return { ...state, tokens: Math.min(capacityOf(limits.tokensPerWindow), state.tokens - extraTokens) };
}

/** JSON cannot hold Infinity: an unlimited side is stored as null. */
export function encodeBucket(state: BucketState): string {
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  return JSON.stringify({ requests: finite(state.requests), tokens: finite(state.tokens), at: state.at });
}

export function decodeBucket(json: string): BucketState | null {
  try {
    const v = JSON.parse(json) as { requests: number | null; tokens: number | null; at: number };
    if (typeof v.at !== "number") return null;
    return {
      requests: v.requests ?? Number.POSITIVE_INFINITY,
      tokens: v.tokens ?? Number.POSITIVE_INFINITY,
      at: v.at,
    };
  } catch {
    return null;
  }
}
