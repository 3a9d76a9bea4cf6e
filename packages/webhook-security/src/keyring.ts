// The keyring that seals webhook secrets: every key a sealed secret may still need, the
// current one first (it seals), the oldest last. Keys are found by the id a sealed secret
// carries, so a rotation adds a key without losing what older keys sealed.
import { hkdfSync } from "node:crypto";
import { derivedKeyId, type SecretKey } from "./secret-keys.ts";

/** Ids in WEBHOOK_SECRET_KEYS: short, and safe inside a sealed secret's dot-separated text. */
export const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

export type RingKey = { readonly id: string; readonly key: SecretKey };

export type SecretKeyring = {
  /** Seals every new secret. */
  readonly current: RingKey;
  /** Current first, oldest last. */
  readonly keys: readonly RingKey[];
};

/** What the gateway needs: the ring that seals, and the key of the body fingerprint's HMAC. */
export type WebhookKeys = { readonly ring: SecretKeyring; readonly fingerprintKey: SecretKey };

/** A ring of these keys, current first. Configuration is checked before this; a bad list here is a bug. */
export function keyringOf(keys: readonly RingKey[]): SecretKeyring {
  const [current] = keys;
  if (!current) throw new Error("a keyring needs at least one key");
  for (const { id } of keys) if (!KEY_ID.test(id)) throw new Error(`not a key id: ${JSON.stringify(id)}`);
  if (new Set(keys.map((k) => k.id)).size !== keys.length) throw new Error("key ids in a keyring must differ");
  return { current, keys: [...keys] };
}

/** The ring WEBHOOK_SECRET_KEY stands for: that key alone, under the id derived from it. */
export function singleKeyRing(key: SecretKey): SecretKeyring {
  return keyringOf([{ id: derivedKeyId(key), key }]);
}

/**
 * The key a sealed secret names: by its id in the ring, else by the id it would have had
 * as WEBHOOK_SECRET_KEY, so moving from one key to a ring that names that key anything
 * still opens what it sealed.
 */
export function ringKeyFor(ring: SecretKeyring, id: string): RingKey | undefined {
  return ring.keys.find((k) => k.id === id) ?? ring.keys.find((k) => derivedKeyId(k.key) === id);
}

const FINGERPRINT_INFO = "chorus/webhook-secret-fingerprint/v1";

/**
 * The fingerprint's HMAC key when WEBHOOK_FINGERPRINT_KEY is unset: derived (HKDF-SHA256)
 * from the OLDEST key, not the current one. A rotation adds a key at the front and leaves
 * the oldest in place, so the fingerprint of a body stays the same across it and an
 * idempotent retry after a rotation is still a retry, not IdempotencyKeyReused. Derived
 * rather than the key itself, so no key serves both AES-GCM and HMAC.
 */
export function derivedFingerprintKey(ring: SecretKeyring): SecretKey {
  const oldest = ring.keys.at(-1) ?? ring.current;
  return Buffer.from(hkdfSync("sha256", oldest.key, Buffer.alloc(0), FINGERPRINT_INFO, 32));
}
