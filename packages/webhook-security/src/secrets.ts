// Seals webhook secrets with AES-256-GCM so they can travel in events and be stored
// without ever being readable in plain text. Sealed with the keyring's current key as
// v2.<key id>.<iv>.<ciphertext>.<tag> (base64url), with the request, its tenant and the
// webhook's URL as associated data: a sealed secret copied onto another request's end, or
// onto a forged end that sends elsewhere, does not open, so nothing gets signed with it. Secrets
// sealed before keyrings (v1.<iv>.<tag>.<ciphertext>, no associated data, no key id) still open.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { ringKeyFor, type RingKey, type SecretKeyring } from "./keyring.ts";

/** The request a secret belongs to and where its webhooks go; sealing binds the secret to them. */
export type SealBinding = { requestId: string; tenantId: string; url: string };

export class SecretUnsealError extends Error {
  override name = "SecretUnsealError";
}

// Unambiguous for any ids: JSON quotes each part.
const associatedData = (b: SealBinding) => Buffer.from(JSON.stringify(["chorus.webhook-secret.v2", b.tenantId, b.requestId, b.url]), "utf8");

export function sealSecret(ring: SecretKeyring, plain: string, binding: SealBinding): string {
  const { id, key } = ring.current;
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(associatedData(binding));
  const ct = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return ["v2", id, iv.toString("base64url"), ct.toString("base64url"), cipher.getAuthTag().toString("base64url")].join(".");
}

/** The plain secret, or a SecretUnsealError saying why not (no key with its id, another request's, a key that differs). */
export function openSecret(ring: SecretKeyring, sealed: string, binding: SealBinding): string {
  const parts = sealed.split(".");
  if (parts[0] === "v2" && parts.length === 5) {
    const [, id, iv, ct, tag] = parts as [string, string, string, string, string];
    const ringKey = ringKeyFor(ring, id);
    if (!ringKey) throw new SecretUnsealError(`sealed with key "${id}", which is not in the keyring (${ring.keys.map((k) => k.id).join(", ")})`);
    const plain = decrypt(ringKey, iv, ct, tag, associatedData(binding));
    if (plain === undefined) throw new SecretUnsealError(`key "${ringKey.id}" does not open it: it was sealed for another request or URL, or with another key under that id`);
    return plain;
  }
  if (parts[0] === "v1" && parts.length === 4) {
    // Sealed before key ids: whichever key of the ring sealed it is the one that opens it.
    const [, iv, tag, ct] = parts as [string, string, string, string];
    for (const ringKey of ring.keys) {
      const plain = decrypt(ringKey, iv, ct, tag, undefined);
      if (plain !== undefined) return plain;
    }
    throw new SecretUnsealError(`sealed before key ids, and no key of the keyring (${ring.keys.map((k) => k.id).join(", ")}) opens it`);
  }
  throw new SecretUnsealError("not a sealed secret");
}

/** The plain text, or undefined when the key, the associated data or the text does not match. */
function decrypt({ key }: RingKey, iv: string, ct: string, tag: string, aad: Buffer | undefined): string | undefined {
  try {
    // Only full 16-byte tags: a short one would make a forged secret a matter of guessing.
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"), { authTagLength: 16 });
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    if (aad) decipher.setAAD(aad);
    return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    return undefined;
  }
}
