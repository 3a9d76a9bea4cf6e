// The API keys of a local Chorus (`npm start`, `npm run smoke`): where they are kept under
// the data folder, where the gateway's admin key comes from, the development key to ask
// for, and what the gateway's answer to a saved key means. Pure: plain data in and out.
import { isAbsolute, join, relative, resolve } from "node:path";

/** The files `npm start` keeps its keys in, below the repository root (readable by their owner only). */
export type LocalKeyPaths = { dir: string; admin: string; dev: string };

export function localKeyPaths(root: string): LocalKeyPaths {
  const dir = join(root, ".data", "keys");
  return { dir, admin: join(dir, "admin.key"), dev: join(dir, "dev.key") };
}

/** The shape of a key the gateway makes: `chorus_sk_` and 43 base64url characters (32 random bytes). */
const API_KEY_PATTERN = /^chorus_sk_[A-Za-z0-9_-]{43}$/;

/** The key in a key file's text (a trailing newline is fine), or null when it holds no key. */
export function keyInFile(text: string): string | null {
  const key = text.trim();
  return API_KEY_PATTERN.test(key) ? key : null;
}

export const DEV_KEY_NAME = "local development";
/** Everything a developer does with the API, but not managing keys. */
export const DEV_KEY_SCOPES = ["requests:write", "requests:read", "webhooks:write"] as const;

/** The body of `POST /api/v1/admin/keys` that makes the development key. */
export function devKeyRequest(tenant: string): { tenant: string; name: string; scopes: string[] } {
  return { tenant, name: DEV_KEY_NAME, scopes: [...DEV_KEY_SCOPES] };
}

export type AuthSettings = {
  CHORUS_AUTH: "required" | "off";
  CHORUS_ADMIN_KEY?: string | undefined;
  CHORUS_ADMIN_KEY_FILE?: string | undefined;
};

/**
 * Where the gateway's bootstrap admin key comes from: the person's own CHORUS_ADMIN_KEY or
 * CHORUS_ADMIN_KEY_FILE, else a file `npm start` keeps (and makes on first start).
 */
export type AuthPlan =
  | { mode: "off" }
  | { mode: "required"; admin: { from: "env" } | { from: "file"; path: string; ours: boolean } }
  | { error: string };

export function planAuth(settings: AuthSettings, paths: LocalKeyPaths, cwd: string): AuthPlan {
  if (settings.CHORUS_AUTH === "off") return { mode: "off" };
  const { CHORUS_ADMIN_KEY: key, CHORUS_ADMIN_KEY_FILE: file } = settings;
  // The gateway refuses both at once; say so before starting anything.
  if (key !== undefined && file !== undefined) return { error: "set CHORUS_ADMIN_KEY or CHORUS_ADMIN_KEY_FILE, not both" };
  if (key !== undefined) {
    return key.trim().length >= 32 ? { mode: "required", admin: { from: "env" } } : { error: "CHORUS_ADMIN_KEY must be at least 32 characters" };
  }
  if (file !== undefined) return { mode: "required", admin: { from: "file", path: resolve(cwd, file), ours: false } };
  return { mode: "required", admin: { from: "file", path: paths.admin, ours: true } };
}

/** What the gateway's answer to a saved development key means for it. */
export type SavedKeyVerdict = "accepted" | "refused" | "unknown";

/**
 * 200: the key works. 401 (unknown or revoked: NATS lost its keys, or it was revoked) or 403
 * (no longer the scopes it needs): make a new one. Anything else (a database still starting)
 * says nothing about the key, so it is kept rather than replaced by one more key.
 */
export function savedKeyVerdict(status: number): SavedKeyVerdict {
  if (status === 200) return "accepted";
  if (status === 401 || status === 403) return "refused";
  return "unknown";
}

/**
 * The tenant of `key` in the admin API's list (`{ keys: [{ key_prefix, tenant, revoked_at }] }`),
 * found by its prefix among keys not revoked; null when the list does not show it.
 */
export function tenantOfKey(list: unknown, key: string): string | null {
  const keys = (list as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) return null;
  const found = keys.filter((k): k is { key_prefix: string; tenant: string } => {
    const row = k as { key_prefix?: unknown; tenant?: unknown; revoked_at?: unknown } | null;
    return typeof row?.key_prefix === "string" && row.key_prefix.length > 0 && key.startsWith(row.key_prefix) && typeof row.tenant === "string" && !row.revoked_at;
  });
  // Two live keys with one prefix: too unlikely to guess between, so say nothing.
  return found.length === 1 ? (found[0]?.tenant ?? null) : null;
}

/** A path as a person in `cwd` would type it: relative when it is below `cwd`, else absolute. */
export function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : file;
}
