// Who may do what, for REST and gRPC alike: authenticate the caller, check the scope the
// call needs, spend one unit of the key's rate limit, and cap its open event streams.
// Throws the API's errors (401, 403, 429); http/guard.ts and the gRPC server wrap it.
import type { ApiScope, Topology } from "@chorus/contracts";
import { kvBucketOnFirstUse, type JetStreamClient, type Logger } from "@chorus/platform";
import { ApiError } from "../errors.ts";
import { authenticate, type AuthSettings, type Caller } from "./authenticate.ts";
import type { KeyStore } from "./key-store.ts";
import { rateLimitHeaders } from "./rate-limit.ts";
import type { RateLimiter } from "./rate-limiter.ts";

export type Admitted = {
  caller: Caller;
  /** RateLimit headers for the answer (none when the caller is not limited). */
  headers: Record<string, string>;
};

export type Access = {
  settings: AuthSettings;
  keys: KeyStore;
  /**
   * The caller of a call that needs `scope` (null: any valid key, as for asking who a key
   * is), or the error to answer (401, 403, 429).
   */
  admit(authorization: string | undefined, scope: ApiScope | null): Promise<Admitted>;
  /** Takes one of the caller's event-stream slots; the returned function gives it back. Throws 429 when none is free. */
  openStream(caller: Caller): () => void;
  /** When each key was last used, as far as it was recorded (at most once a minute per key and replica). */
  lastUsed(): Promise<Map<string, string>>;
};

export type AccessDeps = {
  settings: AuthSettings;
  keys: KeyStore;
  limiter: RateLimiter;
  js: JetStreamClient;
  topology: Topology;
  logger: Logger;
  /** Open SSE/Watch streams allowed per key on this replica. */
  maxStreamsPerKey: number;
  now?: () => number;
};

const USAGE_WRITE_INTERVAL_MS = 60_000;

export const keyUsageBucket = (t: Topology) => `${t.prefix}_api_key_usage`;

export const unauthorized = (reason: "missing" | "malformed" | "unknown" | "revoked") =>
  new ApiError("Unauthorized", reason === "missing" ? "an API key is required: send Authorization: Bearer <key>" : "the API key is not valid (unknown or revoked)", {
    headers: { "WWW-Authenticate": reason === "missing" ? 'Bearer realm="chorus"' : 'Bearer realm="chorus", error="invalid_token"' },
  });

export function createAccess(deps: AccessDeps): Access {
  const now = deps.now ?? Date.now;
  const openStreams = new Map<string, number>();
  const usageWritten = new Map<string, number>();
  const usageBucket = kvBucketOnFirstUse(deps.js, keyUsageBucket(deps.topology), { history: 1 });

  function noteUse(keyId: string): void {
    const at = now();
    if (at - (usageWritten.get(keyId) ?? 0) < USAGE_WRITE_INTERVAL_MS) return;
    usageWritten.set(keyId, at);
    usageBucket()
      .then((kv) => kv.put(keyId, new Date(at).toISOString()))
      .catch((err: unknown) => deps.logger.debug({ err, key_id: keyId }, "could not record a key's last use"));
  }

  return {
    settings: deps.settings,
    keys: deps.keys,
    async admit(authorization, scope) {
      const auth = authenticate(authorization, deps.keys.registry, deps.settings);
      if (!auth.ok) throw unauthorized(auth.reason);
      const { caller } = auth;
      if (scope !== null && !caller.scopes.has(scope)) throw new ApiError("Forbidden", `this API key does not have the ${scope} scope`);
      if (caller.keyId === null || caller.rateLimitPerMinute === null) return { caller, headers: {} };
      noteUse(caller.keyId);
      const decision = await deps.limiter.check(caller.keyId, caller.rateLimitPerMinute);
      const headers = rateLimitHeaders(decision);
      if (!decision.allowed) {
        throw new ApiError("RateLimited", `rate limit of ${decision.limit} requests per minute reached for this API key; retry in ${decision.retryAfterSeconds} s`, {
          retryAfterSeconds: decision.retryAfterSeconds,
          headers,
        });
      }
      return { caller, headers };
    },
    openStream(caller) {
      if (caller.keyId === null) return () => undefined;
      const key = caller.keyId;
      const open = openStreams.get(key) ?? 0;
      if (open >= deps.maxStreamsPerKey) {
        throw new ApiError("RateLimited", `this API key already has ${open} open event streams (the limit is ${deps.maxStreamsPerKey}); close one first`, { retryAfterSeconds: 5 });
      }
      openStreams.set(key, open + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (openStreams.get(key) ?? 1) - 1;
        if (left <= 0) openStreams.delete(key);
        else openStreams.set(key, left);
      };
    },
    async lastUsed() {
      const kv = await usageBucket();
      const entries = await Promise.all([...deps.keys.registry.byId.keys()].map(async (id) => [id, await kv.get(id)] as const));
      return new Map(entries.flatMap(([id, entry]) => (entry && entry.operation === "PUT" ? [[id, entry.string()] as const] : [])));
    },
  };
}
