// One key as configuration spells it: 32 random bytes in base64 or hex, what is wrong with
// a value that is not (a placeholder, the development key, too short, not random), and the
// id a key gets when no one named it. Pure: text in, bytes or a verdict out.
import { createHash } from "node:crypto";

export type SecretKey = Buffer;

/**
 * A well-known key for local development only: secrets sealed with it are readable by
 * anyone who has this source, which is why production refuses it.
 */
export const DEVELOPMENT_WEBHOOK_SECRET_KEY = "chorus-development-only-webhook-secret-key-do-not-use-in-production";

/** Shorter values are refused everywhere, as before keyrings: not even development should seal with "secret". */
export const MIN_KEY_TEXT_LENGTH = 16;

const HEX_32 = /^[0-9a-fA-F]{64}$/;
// 32 bytes are 43 base64 characters and one "=" of padding; either alphabet, padding optional.
const BASE64_32 = /^[A-Za-z0-9+/_-]{43}=?$/;

/** The 32 bytes a value spells in hex or base64, or undefined when it spells anything else. */
export function decodeSecretKey(text: string): SecretKey | undefined {
  if (HEX_32.test(text)) return Buffer.from(text, "hex");
  if (!BASE64_32.test(text)) return undefined;
  const bytes = Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  return bytes.length === 32 ? bytes : undefined;
}

// What deployment templates and documentation put where a key belongs.
const PLACEHOLDER_MARKERS = ["change-me", "change_me", "changeme", "placeholder", "example", "replace-me", "your-key"];

// 32 random bytes take about 30 distinct values; fewer than 16 happens by chance with a
// probability far below 1e-20, so it means a typed or patterned value ("aaaa…", "0123…").
const MIN_DISTINCT_BYTES = 16;

const HOW_TO = "set 32 random bytes in base64 or hex (openssl rand -base64 32)";

/**
 * Why a value is not a production key, or undefined when it is one. Says what is wrong
 * without repeating the value, which may be a real key typed wrongly.
 */
export function keyWeakness(text: string): string | undefined {
  if (text === DEVELOPMENT_WEBHOOK_SECRET_KEY) return `is the development key, which anyone with the source can read: ${HOW_TO}`;
  const lower = text.toLowerCase();
  const marker = PLACEHOLDER_MARKERS.find((m) => lower.includes(m));
  if (marker) return `is a placeholder (it contains "${marker}"), not a key: ${HOW_TO}`;
  const bytes = decodeSecretKey(text);
  if (!bytes) return `must be 32 bytes in base64 (44 characters) or hex (64 characters); this value (${text.length} characters) is neither: ${HOW_TO}`;
  const distinct = new Set(bytes).size;
  if (distinct < MIN_DISTINCT_BYTES) return `does not look random (${distinct} distinct byte values in 32): ${HOW_TO}`;
  return undefined;
}

/** Too short to be any key, even in development; undefined when long enough. */
export function keyTooShort(text: string): string | undefined {
  return text.length < MIN_KEY_TEXT_LENGTH ? `must be at least ${MIN_KEY_TEXT_LENGTH} characters; in production, ${HOW_TO}` : undefined;
}

/**
 * The key a value stands for: its 32 bytes, or (for development values only, which
 * production refuses before this) SHA-256 of the text, as before keyrings.
 */
export function secretKeyOf(text: string): SecretKey {
  return decodeSecretKey(text) ?? createHash("sha256").update(text, "utf8").digest();
}

/**
 * The id of a key no one named (WEBHOOK_SECRET_KEY): "k" and 8 hex digits of its SHA-256.
 * From the bytes, so the same key in hex or base64 gets the same id, and every service
 * given that key computes it alike. 32 bits of a hash say nothing useful about a 256-bit key.
 */
export function derivedKeyId(key: SecretKey): string {
  return `k${createHash("sha256").update(key).digest("hex").slice(0, 8)}`;
}
