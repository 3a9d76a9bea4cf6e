// The cross-replica rate limit on provider calls: pure bucket arithmetic and the NATS KV store.
export { estimateTokens, fullBucket, refill, settle, take } from "./bucket.ts";
export type { BucketState, Cost, RateLimits, Take } from "./bucket.ts";
export { kvRateLimiter, openLimitStore, unlimited } from "./limiter.ts";
export { withSlots } from "./slots.ts";
export { rateLimitBucket, rateLimitKey } from "./names.ts";
export type { Grant, KvRateLimiterOptions, RateLimiter } from "./limiter.ts";
