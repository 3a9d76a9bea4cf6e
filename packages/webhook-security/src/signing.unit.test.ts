import { createHmac } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { signatureHeaders, verifyWebhook } from "./signing.ts";

const SECRET = "a-receiver-secret-of-some-length";
const BODY = JSON.stringify({ event: "request.completed", request_id: "x" });
const NOW = 1_764_064_800;

const lower = (h: Record<string, string>) => (name: string) => Object.entries(h).find(([k]) => k.toLowerCase() === name)?.[1];

describe("signatureHeaders", () => {
  it("signs so that the standardwebhooks library verifies with whsec_ + base64(secret)", () => {
    const headers = signatureHeaders(SECRET, "msg_1", Math.floor(Date.now() / 1000), BODY);
    const verifier = new Webhook(`whsec_${Buffer.from(SECRET).toString("base64")}`);
    expect(verifier.verify(BODY, headers)).toEqual(JSON.parse(BODY));
  });

  it("puts the hex HMAC-SHA256 of the raw body in X-Webhook-Signature", () => {
    const headers = signatureHeaders(SECRET, "msg_1", NOW, BODY);
    expect(headers["X-Webhook-Signature"]).toBe(createHmac("sha256", SECRET).update(BODY).digest("hex"));
    expect(headers["webhook-id"]).toBe("msg_1");
    expect(headers["webhook-timestamp"]).toBe(String(NOW));
  });
});

describe("verifyWebhook", () => {
  it("accepts either scheme signed with the secret", () => {
    const headers = signatureHeaders(SECRET, "msg_1", NOW, BODY);
    expect(verifyWebhook(SECRET, BODY, lower(headers), NOW + 10)).toEqual({ valid: true, scheme: "standard-webhooks", webhookId: "msg_1" });
    const hexOnly = { "X-Webhook-Signature": headers["X-Webhook-Signature"] ?? "" };
    expect(verifyWebhook(SECRET, BODY, lower(hexOnly), NOW)).toEqual({ valid: true, scheme: "x-webhook-signature", webhookId: null });
    expect(verifyWebhook(SECRET, BODY, lower({ "X-Webhook-Signature": `sha256=${hexOnly["X-Webhook-Signature"]}` }), NOW)).toMatchObject({ valid: true });
  });

  it("refuses another secret, a changed body, a stale timestamp and no signature", () => {
    const headers = signatureHeaders(SECRET, "msg_1", NOW, BODY);
    expect(verifyWebhook("another-secret-entirely", BODY, lower(headers), NOW)).toEqual({ valid: false, reason: "mismatch" });
    expect(verifyWebhook(SECRET, `${BODY} `, lower(headers), NOW)).toEqual({ valid: false, reason: "mismatch" });
    expect(verifyWebhook(SECRET, BODY, lower(headers), NOW + 301)).toEqual({ valid: false, reason: "stale" });
    expect(verifyWebhook(SECRET, BODY, lower({}), NOW)).toEqual({ valid: false, reason: "missing" });
    expect(verifyWebhook(SECRET, BODY, lower({ "X-Webhook-Signature": "00" }), NOW)).toEqual({ valid: false, reason: "mismatch" });
  });

  it("accepts only Standard Webhooks when told so, refusing a valid X-Webhook-Signature alone", () => {
    const headers = signatureHeaders(SECRET, "msg_1", NOW, BODY);
    const standardOnly = { schemes: ["standard-webhooks"] as const };
    expect(verifyWebhook(SECRET, BODY, lower(headers), NOW, standardOnly)).toEqual({ valid: true, scheme: "standard-webhooks", webhookId: "msg_1" });
    const hexOnly = { "X-Webhook-Signature": headers["X-Webhook-Signature"] ?? "" };
    expect(verifyWebhook(SECRET, BODY, lower(hexOnly), NOW, standardOnly)).toEqual({ valid: false, reason: "scheme-not-allowed" });
    // An unsigned webhook-id beside the legacy header does not make it a Standard Webhooks delivery.
    expect(verifyWebhook(SECRET, BODY, lower({ ...hexOnly, "webhook-id": "msg_1" }), NOW, standardOnly)).toEqual({ valid: false, reason: "scheme-not-allowed" });
    // A bad Standard Webhooks signature is not rescued by a good legacy one.
    expect(verifyWebhook(SECRET, BODY, lower({ ...headers, "webhook-signature": "v1,AAAA" }), NOW)).toEqual({ valid: false, reason: "mismatch" });
  });

  it("refuses Standard Webhooks headers when only the legacy scheme is allowed", () => {
    const { "X-Webhook-Signature": _hex, ...standard } = signatureHeaders(SECRET, "msg_1", NOW, BODY);
    expect(verifyWebhook(SECRET, BODY, lower(standard), NOW, { schemes: ["x-webhook-signature"] })).toEqual({ valid: false, reason: "scheme-not-allowed" });
  });

  it("takes a timestamp within the tolerance either side of now, and none beyond", () => {
    const headers = signatureHeaders(SECRET, "msg_1", NOW, BODY);
    expect(verifyWebhook(SECRET, BODY, lower(headers), NOW - 60, { toleranceSeconds: 60 })).toMatchObject({ valid: true });
    expect(verifyWebhook(SECRET, BODY, lower(headers), NOW - 61, { toleranceSeconds: 60 })).toEqual({ valid: false, reason: "stale" });
    expect(verifyWebhook(SECRET, BODY, lower(headers), NOW + 61, { toleranceSeconds: 60 })).toEqual({ valid: false, reason: "stale" });
  });
});
