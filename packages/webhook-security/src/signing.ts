// Both webhook signature schemes, signing and verifying: the earlier service's
// X-Webhook-Signature (hex HMAC-SHA256 of the body) and Standard Webhooks (v1, base64
// HMAC-SHA256 of "id.timestamp.body"). The HMAC key is the secret's UTF-8 bytes.
import { createHmac, timingSafeEqual } from "node:crypto";

export const WEBHOOK_HEADERS = {
  hex: "x-webhook-signature",
  id: "webhook-id",
  timestamp: "webhook-timestamp",
  signature: "webhook-signature",
} as const;

/** Standard Webhooks' advice: refuse a timestamp further than this from now (replay). */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

export function hexSignature(secret: string, body: string): string {
  return createHmac("sha256", Buffer.from(secret, "utf8")).update(body, "utf8").digest("hex");
}

export function standardSignature(secret: string, webhookId: string, timestampSeconds: number, body: string): string {
  const mac = createHmac("sha256", Buffer.from(secret, "utf8")).update(`${webhookId}.${timestampSeconds}.${body}`, "utf8").digest("base64");
  return `v1,${mac}`;
}

/** Every signature header of one attempt. */
export function signatureHeaders(secret: string, webhookId: string, timestampSeconds: number, body: string): Record<string, string> {
  return {
    "X-Webhook-Signature": hexSignature(secret, body),
    "webhook-id": webhookId,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": standardSignature(secret, webhookId, timestampSeconds, body),
  };
}

export type WebhookVerification =
  | { valid: true; scheme: "standard-webhooks" | "x-webhook-signature"; webhookId: string | null }
  | { valid: false; reason: "missing" | "mismatch" | "stale" | "malformed" };

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Verifies a received body with either scheme; Standard Webhooks is preferred when its
 * headers are present, and its timestamp must be within the tolerance of `nowSeconds`.
 */
export function verifyWebhook(
  secret: string,
  body: string,
  header: (name: string) => string | undefined,
  nowSeconds: number,
  toleranceSeconds = WEBHOOK_TOLERANCE_SECONDS,
): WebhookVerification {
  const id = header(WEBHOOK_HEADERS.id);
  const timestamp = header(WEBHOOK_HEADERS.timestamp);
  const signature = header(WEBHOOK_HEADERS.signature);
  if (id && timestamp && signature) {
    if (!/^\d{1,12}$/.test(timestamp)) return { valid: false, reason: "malformed" };
    const ts = Number(timestamp);
    if (Math.abs(nowSeconds - ts) > toleranceSeconds) return { valid: false, reason: "stale" };
    const expected = standardSignature(secret, id, ts, body);
    // Several space-separated signatures are allowed (key rotation); one match is enough.
    const match = signature.split(" ").some((s) => sameText(s.trim(), expected));
    return match ? { valid: true, scheme: "standard-webhooks", webhookId: id } : { valid: false, reason: "mismatch" };
  }
  const hex = header(WEBHOOK_HEADERS.hex);
  if (hex) {
    const given = hex.trim().replace(/^sha256=/i, "").toLowerCase();
    return sameText(given, hexSignature(secret, body)) ? { valid: true, scheme: "x-webhook-signature", webhookId: id ?? null } : { valid: false, reason: "mismatch" };
  }
  return { valid: false, reason: "missing" };
}
