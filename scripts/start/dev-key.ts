// The files and gateway calls behind the local keys: the admin key `npm start` hands the
// gateway (made on first start), and the development key it reuses while the gateway still
// accepts it for the same tenant, or else makes through the admin API. Decisions live in local-keys.ts.
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { devKeyRequest, keyInFile, savedKeyVerdict, tenantOfKey } from "./local-keys.ts";

/** Shorter than this is not a secret the gateway takes as CHORUS_ADMIN_KEY. */
const MIN_ADMIN_KEY_LENGTH = 32;
const CALL_TIMEOUT_MS = 10_000;

/** The text of a file, or null when there is none. */
function readOptional(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

/** Writes a key readable by its owner only, whole or not at all (a crash leaves no half key). */
export function writeKeyFile(path: string, key: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, `${key}\n`, { mode: 0o600 });
  chmodSync(partial, 0o600);
  renameSync(partial, path);
}

/** The admin key `npm start` keeps at `path`, made there on first start. */
export function ensureAdminKeyFile(path: string): { key: string; created: boolean } {
  const saved = readOptional(path)?.trim();
  if (saved && saved.length >= MIN_ADMIN_KEY_LENGTH) return { key: saved, created: false };
  const key = `chorus_sk_${randomBytes(32).toString("base64url")}`;
  writeKeyFile(path, key);
  return { key, created: true };
}

/** The admin key in a person's own CHORUS_ADMIN_KEY_FILE, or why it cannot be used. */
export function readAdminKeyFile(path: string): { key: string } | { error: string } {
  let text: string | null;
  try {
    text = readOptional(path);
  } catch (err) {
    return { error: `CHORUS_ADMIN_KEY_FILE cannot be read: ${(err as Error).message}` };
  }
  if (text === null) return { error: `CHORUS_ADMIN_KEY_FILE: there is no file ${path}` };
  const key = text.trim();
  if (key.length < MIN_ADMIN_KEY_LENGTH) return { error: `CHORUS_ADMIN_KEY_FILE: the key in ${path} must be at least ${MIN_ADMIN_KEY_LENGTH} characters` };
  return { key };
}

export type DevKeyOptions = {
  gatewayUrl: string;
  adminKey: string;
  /** Where the development key is kept. */
  file: string;
  tenant: string;
};

export type DevKey = {
  key: string;
  /** Made by this call (else the saved one was reused). */
  created: boolean;
  /** Something the person should know: a saved key that was refused, or one that could not be checked. */
  note?: string;
};

/** The saved key's tenant as the admin API lists it; null when that cannot be told (then the key is kept). */
async function savedKeyTenant(opts: DevKeyOptions, key: string): Promise<string | null> {
  try {
    const res = await fetch(`${opts.gatewayUrl}/api/v1/admin/keys`, {
      headers: { authorization: `Bearer ${opts.adminKey}`, accept: "application/json" },
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
    return res.status === 200 ? tenantOfKey(await res.json(), key) : null;
  } catch {
    return null;
  }
}

/** The `key` of the admin API's answer, when it is one. */
function keyIn(body: string): string | null {
  try {
    return keyInFile(String((JSON.parse(body) as { key?: unknown }).key ?? ""));
  } catch {
    return null;
  }
}

/** The saved development key while the gateway accepts it for this tenant; else a new one, saved in its place. */
export async function ensureDevKey(opts: DevKeyOptions): Promise<DevKey> {
  const saved = keyInFile(readOptional(opts.file) ?? "");
  let note: string | undefined;
  if (saved) {
    // A read any development key may make, answered from the key registry and the read model.
    const res = await fetch(`${opts.gatewayUrl}/api/v1/results?page_size=1`, {
      headers: { authorization: `Bearer ${saved}`, accept: "application/json" },
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
    await res.body?.cancel();
    const verdict = savedKeyVerdict(res.status);
    const tenant = verdict === "accepted" ? await savedKeyTenant(opts, saved) : null;
    if (verdict === "accepted" && (tenant === null || tenant === opts.tenant)) return { key: saved, created: false };
    if (verdict === "unknown") return { key: saved, created: false, note: `could not check the saved key: the gateway answered ${res.status}` };
    note =
      verdict === "accepted"
        ? `the saved key is for tenant "${tenant}", not "${opts.tenant}" (CHORUS_TENANT_ID), so a new one was made`
        : `the gateway refused the saved key (${res.status}${res.status === 401 ? ": unknown or revoked" : ": missing scopes"}), so a new one was made`;
  }
  const res = await fetch(`${opts.gatewayUrl}/api/v1/admin/keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${opts.adminKey}`, "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(devKeyRequest(opts.tenant)),
    signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`POST /api/v1/admin/keys answered ${res.status}: ${text.slice(0, 300)}`);
  const made = keyIn(text);
  if (!made) throw new Error("POST /api/v1/admin/keys answered 201 without a key in the body");
  writeKeyFile(opts.file, made);
  return { key: made, created: true, ...(note ? { note } : {}) };
}
