// What an API key is: `chorus_sk_` and 43 characters of base64url (32 random bytes), shown
// once when it is made and kept only as its SHA-256. Pure apart from the random bytes.
import { createHash, randomBytes } from "node:crypto";

export const API_KEY_PREFIX = "chorus_sk_";

const KEY_PATTERN = /^chorus_sk_[A-Za-z0-9_-]{43}$/;

export type NewApiKey = {
  /** The key itself: given to the caller once, never stored. */
  key: string;
  /** SHA-256 of the key, hex: how it is recognised later. */
  hash: string;
  /** Enough of the key to tell it apart in a list, not enough to use it. */
  prefix: string;
  /** The key's public id, `key_` and 16 hex digits. */
  id: string;
};

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** Whether `text` has the shape of a Chorus API key (a quick refusal of anything else). */
export function isApiKeyShaped(text: string): boolean {
  return KEY_PATTERN.test(text);
}

export function newApiKey(): NewApiKey {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  return { key, hash: hashApiKey(key), prefix: key.slice(0, API_KEY_PREFIX.length + 6), id: `key_${randomBytes(8).toString("hex")}` };
}
