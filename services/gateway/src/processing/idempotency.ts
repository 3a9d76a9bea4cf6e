// Identity of a submission: the request id an Idempotency-Key stands for (the same on
// every replica, with no shared state), and the fingerprint that tells a true retry
// from a reused key.
import { createHash, createHmac } from "node:crypto";
import type { ProcessInput } from "./schema.ts";

/** A version-8 UUID from sha256(tenant, key): the same key of the same tenant names the same request. */
export function requestIdForKey(tenantId: string, idempotencyKey: string): string {
  const digest = createHash("sha256").update(`chorus.idempotency\u0000${tenantId}\u0000${idempotencyKey}`, "utf8").digest();
  const bytes = digest.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80; // version 8: custom
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 9562 variant
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * sha256 of the validated body in a canonical form (fixed key order, defaults applied).
 * The webhook secret enters only as an HMAC under the sealing key, so the fingerprint,
 * which travels in events, cannot be used to guess the secret.
 */
export function fingerprintOf(input: ProcessInput, secretKey: Buffer): string {
  const canonical = JSON.stringify([
    input.text,
    input.orchestration_mode,
    input.agents,
    input.webhook ? input.webhook.url : null,
    input.webhook ? createHmac("sha256", secretKey).update(input.webhook.secret, "utf8").digest("hex") : null,
  ]);
  return createHash("sha256").update(canonical, "utf8").digest("hex");
}
