// Where `npm start` keeps its keys and what it decides about them.
import { describe, expect, it } from "vitest";
import { devKeyRequest, displayPath, keyInFile, localKeyPaths, planAuth, savedKeyVerdict, tenantOfKey } from "./local-keys.ts";

const paths = localKeyPaths("/repo");
const KEY = `chorus_sk_${"A".repeat(42)}_`;

describe("localKeyPaths", () => {
  it("keeps both keys under the data folder", () => {
    expect(paths).toEqual({ dir: "/repo/.data/keys", admin: "/repo/.data/keys/admin.key", dev: "/repo/.data/keys/dev.key" });
  });
});

describe("keyInFile", () => {
  it("reads a key with a trailing newline, and nothing that is not key-shaped", () => {
    expect(keyInFile(`${KEY}\n`)).toBe(KEY);
    expect(keyInFile("")).toBeNull();
    expect(keyInFile(`${KEY}x`)).toBeNull();
    expect(keyInFile("chorus_sk_short")).toBeNull();
    expect(keyInFile(`${KEY}\n${KEY}\n`)).toBeNull();
  });
});

describe("devKeyRequest", () => {
  it("asks for a key of the tenant with every scope but admin", () => {
    expect(devKeyRequest("acme")).toEqual({ tenant: "acme", name: "local development", scopes: ["requests:write", "requests:read", "webhooks:write"] });
  });
});

describe("planAuth", () => {
  it("makes no key when the API is open", () => {
    expect(planAuth({ CHORUS_AUTH: "off", CHORUS_ADMIN_KEY: "x".repeat(40) }, paths, "/repo")).toEqual({ mode: "off" });
  });

  it("keeps its own admin key file unless the person gave one", () => {
    expect(planAuth({ CHORUS_AUTH: "required" }, paths, "/repo")).toEqual({
      mode: "required",
      admin: { from: "file", path: "/repo/.data/keys/admin.key", ours: true },
    });
  });

  it("uses the person's CHORUS_ADMIN_KEY, or their file resolved from where they ran it", () => {
    expect(planAuth({ CHORUS_AUTH: "required", CHORUS_ADMIN_KEY: "k".repeat(32) }, paths, "/repo")).toEqual({ mode: "required", admin: { from: "env" } });
    expect(planAuth({ CHORUS_AUTH: "required", CHORUS_ADMIN_KEY_FILE: "secrets/admin" }, paths, "/home/me")).toEqual({
      mode: "required",
      admin: { from: "file", path: "/home/me/secrets/admin", ours: false },
    });
  });

  it("refuses what the gateway would refuse: both at once, or a short key", () => {
    expect(planAuth({ CHORUS_AUTH: "required", CHORUS_ADMIN_KEY: "k".repeat(32), CHORUS_ADMIN_KEY_FILE: "/f" }, paths, "/repo")).toHaveProperty("error");
    expect(planAuth({ CHORUS_AUTH: "required", CHORUS_ADMIN_KEY: "short" }, paths, "/repo")).toEqual({ error: "CHORUS_ADMIN_KEY must be at least 32 characters" });
  });
});

describe("savedKeyVerdict", () => {
  it("reuses an accepted key, replaces a refused one, keeps one it could not check", () => {
    expect(savedKeyVerdict(200)).toBe("accepted");
    expect(savedKeyVerdict(401)).toBe("refused");
    expect(savedKeyVerdict(403)).toBe("refused");
    expect(savedKeyVerdict(503)).toBe("unknown");
    expect(savedKeyVerdict(429)).toBe("unknown");
  });
});

describe("tenantOfKey", () => {
  const row = (prefix: string, tenant: string, revoked_at: string | null = null) => ({ key_prefix: prefix, tenant, revoked_at });

  it("finds a live key's tenant by its prefix", () => {
    expect(tenantOfKey({ keys: [row("chorus_sk_ZZZZZZ", "other"), row(KEY.slice(0, 16), "acme")] }, KEY)).toBe("acme");
  });

  it("says nothing when the list does not tell: not listed, revoked, two matches, or no list", () => {
    expect(tenantOfKey({ keys: [row("chorus_sk_ZZZZZZ", "other")] }, KEY)).toBeNull();
    expect(tenantOfKey({ keys: [row(KEY.slice(0, 16), "acme", "2026-01-01T00:00:00Z")] }, KEY)).toBeNull();
    expect(tenantOfKey({ keys: [row(KEY.slice(0, 16), "acme"), row(KEY.slice(0, 16), "b")] }, KEY)).toBeNull();
    expect(tenantOfKey({ error: "Unauthorized" }, KEY)).toBeNull();
    expect(tenantOfKey(null, KEY)).toBeNull();
  });
});

describe("displayPath", () => {
  it("is relative below the directory the person is in, else absolute", () => {
    expect(displayPath("/repo/.data/keys/dev.key", "/repo")).toBe(".data/keys/dev.key");
    expect(displayPath("/repo/.data/keys/dev.key", "/repo/services")).toBe("/repo/.data/keys/dev.key");
    expect(displayPath("/repo", "/repo")).toBe("/repo");
  });
});
