import { describe, expect, it } from "vitest";
import type { ApiKeyEvent } from "@chorus/contracts";
import { hashApiKey, isApiKeyShaped, newApiKey } from "./api-key.ts";
import { authenticate, bearerToken, type AuthSettings } from "./authenticate.ts";
import { decideRate, rateLimitHeaders, WINDOW_MS } from "./rate-limit.ts";
import { emptyKeyRegistry, evolveKeys, listKeys } from "./registry.ts";

const SETTINGS: AuthSettings = { mode: "required", defaultTenantId: "default", adminKeyHash: hashApiKey("a".repeat(40)), defaultRateLimitPerMinute: 600 };

function created(keyId: string, key: string, over: Partial<{ tenant: string; scopes: ApiKeyEvent["data"] extends never ? never : string[]; limit: number | null; at: string }> = {}): ApiKeyEvent {
  return {
    id: crypto.randomUUID(),
    type: "ApiKeyCreated",
    version: 1,
    key_id: keyId,
    tenant_id: over.tenant ?? "acme",
    occurred_at: over.at ?? "2026-11-29T10:00:00.000Z",
    correlation_id: "c",
    by_key_id: "bootstrap",
    data: {
      name: "ci",
      scopes: (over.scopes ?? ["requests:read", "requests:write"]) as ("requests:read" | "requests:write")[],
      rate_limit_per_minute: over.limit ?? null,
      key_hash: hashApiKey(key),
      key_prefix: key.slice(0, 16),
    },
  };
}

const revoked = (keyId: string, at = "2026-11-29T11:00:00.000Z"): ApiKeyEvent => ({
  id: crypto.randomUUID(),
  type: "ApiKeyRevoked",
  version: 1,
  key_id: keyId,
  tenant_id: "acme",
  occurred_at: at,
  correlation_id: "c",
  by_key_id: "bootstrap",
  data: {},
});

describe("API keys", () => {
  it("are chorus_sk_ and 32 random bytes, recognised by their SHA-256 and never equal", () => {
    const a = newApiKey();
    const b = newApiKey();
    expect(a.key).toMatch(/^chorus_sk_[A-Za-z0-9_-]{43}$/);
    expect(isApiKeyShaped(a.key)).toBe(true);
    expect(a.key).not.toBe(b.key);
    expect(a.hash).toBe(hashApiKey(a.key));
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.id).toMatch(/^key_[0-9a-f]{16}$/);
    expect(a.key.startsWith(a.prefix)).toBe(true);
    expect(a.prefix.length).toBeLessThan(20);
  });

  it("reads a bearer token case-insensitively and nothing else", () => {
    expect(bearerToken("Bearer abc")).toBe("abc");
    expect(bearerToken("bearer abc")).toBe("abc");
    expect(bearerToken("Basic abc")).toBeUndefined();
    expect(bearerToken("Bearer")).toBeUndefined();
    expect(bearerToken("Bearer a b")).toBeUndefined();
  });
});

describe("authenticate", () => {
  const key = newApiKey();
  const registry = emptyKeyRegistry();
  evolveKeys(registry, created("key_0000000000000001", key.key, { limit: 5 }));

  it("knows a created key: its tenant, scopes and own limit", () => {
    const auth = authenticate(`Bearer ${key.key}`, registry, SETTINGS);
    expect(auth.ok && auth.caller).toMatchObject({ tenantId: "acme", keyId: "key_0000000000000001", rateLimitPerMinute: 5 });
    expect(auth.ok && [...auth.caller.scopes].sort()).toEqual(["requests:read", "requests:write"]);
  });

  it("refuses no header, another scheme, an unknown key and a revoked one", () => {
    expect(authenticate(undefined, registry, SETTINGS)).toEqual({ ok: false, reason: "missing" });
    expect(authenticate(`Basic ${key.key}`, registry, SETTINGS)).toEqual({ ok: false, reason: "malformed" });
    expect(authenticate(`Bearer ${newApiKey().key}`, registry, SETTINGS)).toEqual({ ok: false, reason: "unknown" });
    const gone = emptyKeyRegistry();
    evolveKeys(gone, created("key_0000000000000001", key.key));
    evolveKeys(gone, revoked("key_0000000000000001"));
    expect(authenticate(`Bearer ${key.key}`, gone, SETTINGS)).toEqual({ ok: false, reason: "revoked" });
  });

  it("takes the bootstrap admin key, whatever its shape, with the admin scope only", () => {
    const auth = authenticate(`Bearer ${"a".repeat(40)}`, registry, SETTINGS);
    expect(auth.ok && auth.caller.keyId).toBe("bootstrap");
    expect(auth.ok && [...auth.caller.scopes]).toEqual(["admin"]);
  });

  it("lets everyone in as the deployment's tenant, unlimited, when auth is off", () => {
    const auth = authenticate(undefined, registry, { ...SETTINGS, mode: "off" });
    expect(auth.ok && auth.caller).toMatchObject({ tenantId: "default", keyId: null, rateLimitPerMinute: null });
    expect(auth.ok && auth.caller.scopes.has("admin")).toBe(true);
  });
});

describe("the key registry", () => {
  it("keeps the first creation and the first revocation, and ignores a revocation of an unknown key", () => {
    const registry = emptyKeyRegistry();
    const key = newApiKey().key;
    evolveKeys(registry, created("key_0000000000000002", key, { at: "2026-11-29T10:00:00.000Z" }));
    evolveKeys(registry, created("key_0000000000000002", key, { tenant: "other", at: "2026-11-29T12:00:00.000Z" }));
    evolveKeys(registry, revoked("key_0000000000000002", "2026-11-29T11:00:00.000Z"));
    evolveKeys(registry, revoked("key_0000000000000002", "2026-11-29T13:00:00.000Z"));
    evolveKeys(registry, revoked("key_00000000000000ff"));
    expect(listKeys(registry)).toHaveLength(1);
    expect(registry.byId.get("key_0000000000000002")).toMatchObject({ tenant: "acme", revokedAt: "2026-11-29T11:00:00.000Z" });
  });

  it("lists keys oldest first", () => {
    const registry = emptyKeyRegistry();
    evolveKeys(registry, created("key_0000000000000004", newApiKey().key, { at: "2026-11-29T12:00:00.000Z" }));
    evolveKeys(registry, created("key_0000000000000003", newApiKey().key, { at: "2026-11-29T10:00:00.000Z" }));
    expect(listKeys(registry).map((k) => k.id)).toEqual(["key_0000000000000003", "key_0000000000000004"]);
  });
});

describe("the per-key rate limit (GCRA)", () => {
  it("allows the whole minute's budget at once, then refuses with the wait until one more fits", () => {
    let tat = 0;
    const now = 1_000_000;
    for (let i = 0; i < 60; i++) {
      const d = decideRate(tat, 60, now);
      expect(d.allowed).toBe(true);
      expect(d.remaining).toBe(59 - i);
      tat = d.tat;
    }
    const refused = decideRate(tat, 60, now);
    expect(refused).toMatchObject({ allowed: false, remaining: 0, retryAfterSeconds: 1, tat });
    expect(decideRate(tat, 60, now + 1_000).allowed).toBe(true);
  });

  it("gives the budget back over the window", () => {
    let tat = 0;
    for (let i = 0; i < 10; i++) tat = decideRate(tat, 10, 0).tat;
    expect(decideRate(tat, 10, 0).allowed).toBe(false);
    expect(decideRate(tat, 10, WINDOW_MS / 2).remaining).toBe(4);
    expect(decideRate(tat, 10, WINDOW_MS).remaining).toBe(9);
  });

  it("says so in the IETF RateLimit headers", () => {
    expect(rateLimitHeaders({ limit: 600, remaining: 599, resetSeconds: 1 })).toEqual({
      "RateLimit-Policy": '"per-key";q=600;w=60',
      RateLimit: '"per-key";r=599;t=1',
    });
  });
});
