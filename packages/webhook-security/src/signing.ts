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

export type WebhookScheme = "standard-webhooks" | "x-webhook-signature";

/** Both schemes, Standard Webhooks first: what a receiver accepts unless told otherwise. */
export const WEBHOOK_SCHEMES: readonly WebhookScheme[] = ["standard-webhooks", "x-webhook-signature"];

export type VerifyOptions = {
  toleranceSeconds?: number;
  /**
   * The schemes accepted (default: both). X-Webhook-Signature signs neither an id nor a
   * time, so a captured delivery can be replayed for ever: a receiver that must resist
   * replay accepts only ["standard-webhooks"].
   */
  schemes?: readonly WebhookScheme[];
};

export type WebhookVerification =
  | { valid: true; scheme: WebhookScheme; webhookId: string | null }
  | { valid: false; reason: "missing" | "mismatch" | "stale" | "malformed" | "scheme-not-allowed" };

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Verifies a received body with the allowed schemes; Standard Webhooks is preferred when
 * its headers are present, and its timestamp must be within the tolerance of `nowSeconds`.
 * A signature only in a scheme that is not allowed is `scheme-not-allowed`, unchecked.
 */
export function verifyWebhook(
  secret: string,
  body: string,
  header: (name: string) => string | undefined,
  nowSeconds: number,
  options: VerifyOptions = {},
): WebhookVerification {
  const { toleranceSeconds = WEBHOOK_TOLERANCE_SECONDS, schemes = WEBHOOK_SCHEMES } = options;
  const id = header(WEBHOOK_HEADERS.id);
  const timestamp = header(WEBHOOK_HEADERS.timestamp);
  const signature = header(WEBHOOK_HEADERS.signature);
  const hex = header(WEBHOOK_HEADERS.hex);
  if (id && timestamp && signature && schemes.includes("standard-webhooks")) {
    if (!/^\d{1,12}$/.test(timestamp)) return { valid: false, reason: "malformed" };
    const ts = Number(timestamp);
    if (Math.abs(nowSeconds - ts) > toleranceSeconds) return { valid: false, reason: "stale" };
    const expected = standardSignature(secret, id, ts, body);
    // Several space-separated signatures are allowed (key rotation); one match is enough.
    const match = signature.split(" ").some((s) => sameText(s.trim(), expected));
    return match ? { valid: true, scheme: "standard-webhooks", webhookId: id } : { valid: false, reason: "mismatch" };
  }
  if (hex) {
    if (!schemes.includes("x-webhook-signature")) return { valid: false, reason: "scheme-not-allowed" };
    const given = hex.trim().replace(/^sha256=/i, "").toLowerCase();
    return sameText(given, hexSignature(secret, body)) ? { valid: true, scheme: "x-webhook-signature", webhookId: id ?? null } : { valid: false, reason: "mismatch" };
  }
  // Standard Webhooks headers that are present but not allowed are a scheme refused, not a missing signature.
  return { valid: false, reason: id && timestamp && signature ? "scheme-not-allowed" : "missing" };
}
