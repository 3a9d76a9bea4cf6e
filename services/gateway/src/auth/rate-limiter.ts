// The per-key rate limit shared by every gateway replica: each key's GCRA state (see
// rate-limit.ts) in a NATS KV bucket, changed only by revision-checked writes. Calls for
// one key are decided in batches, one write in flight per key and replica, so a busy key
// costs one KV write per batch rather than per request. If the bucket cannot be reached
// the call is let through (and logged): a broker outage must not lock every client out.
import type { KV } from "@nats-io/kv";
import type { Topology } from "@chorus/contracts";
import { isWrongLastSequence, kvBucketOnFirstUse, type JetStreamClient, type Logger } from "@chorus/platform";
import { WINDOW_MS, decideRate, type RateDecision } from "./rate-limit.ts";

export type RateLimiter = {
  /** Decides one call of `keyId` against `limit` requests per minute. */
  check(keyId: string, limit: number): Promise<RateDecision>;
};

export const rateLimitBucket = (t: Topology) => `${t.prefix}_api_rate_limits`;

type Waiting = { limit: number; resolve: (d: RateDecision) => void };
type Known = { tat: number; revision: number | null };

const MAX_CONFLICTS = 20;
/** How long a batch may wait on the bucket before it is let through: a broker outage must not stall every call. */
const STORE_TIMEOUT_MS = 1_000;

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the rate limit store did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export function kvRateLimiter(deps: { js: JetStreamClient; topology: Topology; logger: Logger; now?: () => number }): RateLimiter {
  const now = deps.now ?? Date.now;
  // Memory storage: the state is worth a minute; the TTL drops keys no longer called.
  const bucket = kvBucketOnFirstUse(deps.js, rateLimitBucket(deps.topology), { history: 1, storage: "memory", ttl: 2 * WINDOW_MS });
  const waiting = new Map<string, Waiting[]>();
  const known = new Map<string, Known>();
  let lastWarning = 0;

  async function read(kv: KV, keyId: string): Promise<Known> {
    const entry = await kv.get(keyId);
    if (!entry || entry.operation !== "PUT") return { tat: 0, revision: entry ? entry.revision : null };
    const tat = Number(entry.string());
    return { tat: Number.isFinite(tat) ? tat : 0, revision: entry.revision };
  }

  async function write(kv: KV, keyId: string, current: Known, tat: number): Promise<number> {
    return current.revision === null ? kv.create(keyId, String(tat)) : kv.update(keyId, String(tat), current.revision);
  }

  /** Decides a batch in arrival order against one stored state; stores it once. */
  async function decideBatch(keyId: string, batch: Waiting[]): Promise<RateDecision[]> {
    const kv = await bucket();
    for (let conflicts = 0; ; conflicts++) {
      const current = known.get(keyId) ?? (await read(kv, keyId));
      let tat = current.tat;
      const at = now();
      const decisions = batch.map((w) => {
        const d = decideRate(tat, w.limit, at);
        tat = d.tat;
        return d;
      });
      if (tat === current.tat) return decisions;
      try {
        known.set(keyId, { tat, revision: await write(kv, keyId, current, tat) });
        return decisions;
      } catch (err) {
        known.delete(keyId);
        // Another replica wrote first (or the entry expired): read again and decide again.
        if (!isWrongLastSequence(err) && !/exists|wrong last sequence/i.test(String(err))) throw err;
        if (conflicts >= MAX_CONFLICTS) throw err;
      }
    }
  }

  async function drain(keyId: string): Promise<void> {
    for (;;) {
      const queue = waiting.get(keyId);
      const batch = queue?.splice(0) ?? [];
      if (batch.length === 0) {
        waiting.delete(keyId);
        return;
      }
      let decisions: RateDecision[];
      try {
        decisions = await within(STORE_TIMEOUT_MS, decideBatch(keyId, batch));
      } catch (err) {
        if (now() - lastWarning > 60_000) {
          lastWarning = now();
          deps.logger.warn({ err }, "rate limit store unavailable; calls are let through until it answers");
        }
        decisions = batch.map((w) => decideRate(0, w.limit, now()));
      }
      batch.forEach((w, i) => w.resolve(decisions[i] as RateDecision));
    }
  }

  return {
    check(keyId, limit) {
      return new Promise<RateDecision>((resolve) => {
        const queue = waiting.get(keyId);
        if (queue) {
          queue.push({ limit, resolve });
          return;
        }
        waiting.set(keyId, [{ limit, resolve }]);
        void drain(keyId);
      });
    },
  };
}
