// Who is calling: the Authorization header checked against the registry and the
// bootstrap admin key. Pure. An answer names the reason for the log, never for the client
// (every refusal looks the same from outside, so keys cannot be probed).
import { API_SCOPES, type ApiScope } from "@chorus/contracts";
import { hashApiKey, isApiKeyShaped } from "./api-key.ts";
import type { KeyRegistry } from "./registry.ts";

export type Caller = {
  tenantId: string;
  /** The key's id; `bootstrap` for CHORUS_ADMIN_KEY; null when auth is off. */
  keyId: string | null;
  scopes: ReadonlySet<ApiScope>;
  /** Requests per minute for this key; null: not limited (auth off). */
  rateLimitPerMinute: number | null;
};

export type AuthSettings = {
  mode: "required" | "off";
  /** The tenant of every call when auth is off, and of the bootstrap admin key. */
  defaultTenantId: string;
  /** SHA-256 of CHORUS_ADMIN_KEY, if one is set. */
  adminKeyHash: string | undefined;
  /** API_RATE_LIMIT_PER_MINUTE: for keys that do not set their own. */
  defaultRateLimitPerMinute: number;
};

export type Authentication = { ok: true; caller: Caller } | { ok: false; reason: "missing" | "malformed" | "unknown" | "revoked" };

const EVERY_SCOPE: ReadonlySet<ApiScope> = new Set(API_SCOPES);

/** The caller of an open API (CHORUS_AUTH=off): the deployment's tenant, every scope, no limit. */
export function openCaller(settings: AuthSettings): Caller {
  return { tenantId: settings.defaultTenantId, keyId: null, scopes: EVERY_SCOPE, rateLimitPerMinute: null };
}

/** The bearer token of an Authorization header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer[ ]+(\S+)[ ]*$/i.exec(header);
  return match?.[1];
}

export function authenticate(header: string | undefined, registry: KeyRegistry, settings: AuthSettings): Authentication {
  if (settings.mode === "off") return { ok: true, caller: openCaller(settings) };
  if (header === undefined || header === "") return { ok: false, reason: "missing" };
  const token = bearerToken(header);
  if (!token) return { ok: false, reason: "malformed" };
  const hash = hashApiKey(token);
  if (settings.adminKeyHash !== undefined && hash === settings.adminKeyHash) {
    return {
      ok: true,
      caller: { tenantId: settings.defaultTenantId, keyId: "bootstrap", scopes: new Set<ApiScope>(["admin"]), rateLimitPerMinute: settings.defaultRateLimitPerMinute },
    };
  }
  const record = isApiKeyShaped(token) ? registry.byHash.get(hash) : undefined;
  if (!record) return { ok: false, reason: "unknown" };
  if (record.revokedAt !== null) return { ok: false, reason: "revoked" };
  return {
    ok: true,
    caller: { tenantId: record.tenant, keyId: record.id, scopes: new Set(record.scopes), rateLimitPerMinute: record.rateLimitPerMinute ?? settings.defaultRateLimitPerMinute },
  };
}
