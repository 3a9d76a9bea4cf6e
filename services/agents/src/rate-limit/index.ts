// The cross-replica rate limit on provider calls: pure bucket arithmetic and the NATS KV store.
export type { RateLimits } from "./bucket.ts";
export { kvRateLimiter, unlimited, type RateLimiter } from "./limiter.ts";
export { withSlots } from "./slots.ts";
export { rateLimitBucket, rateLimitKey } from "./names.ts";
