// API keys and tenants: who is calling, what they may do, and how much. See docs/security.md.
import type { Topology } from "@chorus/contracts";
import type { JetStreamClient, JetStreamManager, Logger } from "@chorus/platform";
import { createAccess, type Access } from "./access.ts";
import { followKeys } from "./key-store.ts";
import { kvRateLimiter } from "./rate-limiter.ts";

export type { Access, Admitted } from "./access.ts";
export { unauthorized } from "./access.ts";
export type { Caller } from "./authenticate.ts";
export { hashApiKey } from "./api-key.ts";

export type AuthOptions = {
  mode: "required" | "off";
  /** SHA-256 of CHORUS_ADMIN_KEY, if set. */
  adminKeyHash?: string | undefined;
  /** API_RATE_LIMIT_PER_MINUTE. */
  rateLimitPerMinute: number;
  /** API_MAX_STREAMS_PER_KEY: open SSE/Watch streams per key and replica. */
  maxStreamsPerKey: number;
};

/** Follows the keys stream and answers who may call; `stop` ends the following. */
export function startAccess(deps: { js: JetStreamClient; jsm: JetStreamManager; topology: Topology; logger: Logger; defaultTenantId: string; auth: AuthOptions }): Access & { stop(): void } {
  const keys = followKeys(deps);
  const access = createAccess({
    settings: {
      mode: deps.auth.mode,
      defaultTenantId: deps.defaultTenantId,
      adminKeyHash: deps.auth.adminKeyHash,
      defaultRateLimitPerMinute: deps.auth.rateLimitPerMinute,
    },
    keys,
    limiter: kvRateLimiter(deps),
    js: deps.js,
    topology: deps.topology,
    logger: deps.logger,
    maxStreamsPerKey: deps.auth.maxStreamsPerKey,
  });
  return { ...access, stop: () => keys.stop() };
}
