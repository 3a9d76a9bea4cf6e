// Seals webhook secrets with AES-256-GCM so they can travel in events and be stored
// without ever being readable in plain text. Format: v1.<iv>.<tag>.<ciphertext>, base64url.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { ConfigError, type Logger } from "@chorus/platform";

export type SecretKey = Buffer;

/**
 * A 32-byte key from configuration: base64 of 32 bytes, or hex of 32 bytes. Any other
 * string is stretched with SHA-256, which is fine for development keys only.
 */
export function parseSecretKey(value: string): SecretKey {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, "hex");
  const b64 = Buffer.from(value, "base64");
  if (b64.length === 32 && /^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) return b64;
  return createHash("sha256").update(value, "utf8").digest();
}

export const SecretKeyConfig = z.string().min(16, "must be at least 16 characters (base64 or hex of 32 bytes recommended)");

export function sealSecret(key: SecretKey, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const ct = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return ["v1", iv.toString("base64url"), tag.toString("base64url"), ct.toString("base64url")].join(".");
}

export class SecretUnsealError extends Error {
  override name = "SecretUnsealError";
}

export function openSecret(key: SecretKey, sealed: string): string {
  const [version, iv, tag, ct] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || ct === undefined) throw new SecretUnsealError("not a sealed secret");
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString("utf8");
  } catch (cause) {
    throw new SecretUnsealError("secret cannot be opened with this key", { cause });
  }
}

/**
 * A well-known key for local development only: secrets sealed with it are readable by
 * anyone who has this source, which is why production refuses to start without a key.
 */
export const DEVELOPMENT_WEBHOOK_SECRET_KEY = "chorus-development-only-webhook-secret-key-do-not-use-in-production";

/**
 * The key that seals webhook secrets, shared by the gateway (seals) and the webhook
 * service (opens). Missing in production is a configuration error; elsewhere the
 * development key is used, with a warning.
 */
export function resolveWebhookSecretKey(
  config: { WEBHOOK_SECRET_KEY?: string | undefined; NODE_ENV?: string | undefined },
  logger: Pick<Logger, "warn">,
): SecretKey {
  if (config.WEBHOOK_SECRET_KEY) return parseSecretKey(config.WEBHOOK_SECRET_KEY);
  if (config.NODE_ENV === "production") throw new ConfigError("WEBHOOK_SECRET_KEY is required in production");
  logger.warn("WEBHOOK_SECRET_KEY is not set; using the development key, which must never be used in production");
  return parseSecretKey(DEVELOPMENT_WEBHOOK_SECRET_KEY);
}
