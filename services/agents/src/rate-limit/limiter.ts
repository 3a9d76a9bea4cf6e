// The rate limit shared by every agent replica: one token bucket per key in a NATS KV
// bucket, changed only by revision-checked writes, so two replicas can never spend the
// same capacity. A caller without capacity sleeps until the bucket says it will have it.
import { Kvm, type KV } from "@nats-io/kv";
import { isWrongLastSequence, sleep, type JetStreamClient } from "@chorus/platform";
import { decodeBucket, encodeBucket, settle, take, type BucketState, type RateLimits } from "./bucket.ts";

export type Grant = {
  /** Tells the bucket how many tokens the call really used, so the estimate is corrected. */
  settle(actualTokens: number): Promise<void>;
};

export type RateLimiter = {
  /** Resolves once `tokens` (an estimate) and one request fit in the window; rejects when `signal` aborts. */
  acquire(tokens: number, signal: AbortSignal): Promise<Grant>;
};

/** No limit at all: for the offline provider and for tests that are not about limits. */
export const unlimited: RateLimiter = {
  acquire: async () => ({ settle: async () => undefined }),
};

export type KvRateLimiterOptions = {
  js: JetStreamClient;
  /** KV bucket name, e.g. `<prefix>_ratelimit`. */
  bucket: string;
  /** One bucket per key: per provider endpoint and model, say. */
  key: string;
  limits: RateLimits;
  now?: () => number;
};

// A write lost to another replica's write is normal under load and retried after a short
// random pause; any other error this many times in a row means the store is failing.
const MAX_ERRORS = 5;
const hasLimit = (l: RateLimits) => l.requestsPerWindow !== null || l.tokensPerWindow !== null;


/** Opens (or creates) the KV bucket; idempotent, so every replica may run it at start-up. */
async function openLimitStore(js: JetStreamClient, bucket: string): Promise<KV> {
  return new Kvm(js).create(bucket, { history: 1 });
}

export async function kvRateLimiter(opts: KvRateLimiterOptions): Promise<RateLimiter> {
  if (!hasLimit(opts.limits)) return unlimited;
  const kv = await openLimitStore(opts.js, opts.bucket);
  const now = opts.now ?? Date.now;
  const { key, limits } = opts;

  /** Applies `change` to the stored bucket with a revision check, retrying when another replica wrote first. */
  async function update<T>(change: (state: BucketState | null) => { next: BucketState; result: T } | { wait: number }, signal: AbortSignal): Promise<T> {
    let conflicts = 0;
    let errors = 0;
    for (;;) {
      signal.throwIfAborted();
      const entry = await kv.get(key);
      const current = entry && entry.operation === "PUT" ? decodeBucket(entry.string()) : null;
      const decided = change(current);
      if ("wait" in decided) {
        // Jitter, so replicas that wait for the same refill do not all write at once.
        await sleep(decided.wait + Math.floor(Math.random() * 25), signal);
        continue;
      }
      try {
        if (entry) await kv.update(key, encodeBucket(decided.next), entry.revision);
        else await kv.create(key, encodeBucket(decided.next));
        return decided.result;
      } catch (err) {
        if (!isWrongLastSequence(err)) {
          errors += 1;
          if (errors >= MAX_ERRORS) throw err;
        }
        // Spreads the contenders out as contention grows, up to ~20 ms.
        conflicts += 1;
        await sleep(Math.floor(Math.random() * Math.min(20, 2 * conflicts)), signal);
      }
    }
  }

  return {
    async acquire(tokens, signal) {
      await update((state) => {
        const r = take(state, limits, now(), { requests: 1, tokens });
        return r.granted ? { next: r.state, result: undefined } : { wait: r.waitMs };
      }, signal);
      return {
        settle: async (actualTokens) => {
          const extra = actualTokens - Math.min(tokens, limits.tokensPerWindow ?? tokens);
          if (extra === 0 || limits.tokensPerWindow === null) return;
          await update((state) => ({ next: settle(state, limits, now(), extra), result: undefined }), AbortSignal.timeout(10_000));
        },
      };
    },
  };
}
