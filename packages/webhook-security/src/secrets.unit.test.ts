import { describe, expect, it } from "vitest";
import { keyringOf, singleKeyRing } from "./keyring.ts";
import { secretKeyOf } from "./secret-keys.ts";
import { SecretUnsealError, openSecret, sealSecret } from "./secrets.ts";

const K1 = secretKeyOf("Hjp1uUQbEEA7vTK1HjQ0bdZWGzWNUcDcN3ZCSPk2XIk=");
const K2 = secretKeyOf("9aMZRvV4q71WOHj+HipN0/7EcGpR6fqmVP8FFcuJjZY=");
const SECRET = "receiver-secret-0123456789";
const REQUEST = { requestId: "0f4d3e0e-8d43-4a57-9a52-3f1f2d6c7b10", tenantId: "acme", url: "https://receiver.example/hook" };

/** Sealed with K1 by the code before keyrings (v1, no key id, no associated data). */
const SEALED_BEFORE_KEYRINGS = "v1.tzl01BLHElLxCI80.q-U7HcPGEH1GLa4dMRD_2w.5EqXgsCyXK9KSqMxzu5lUZnYyey_jk8jvW2a9KQQ18SjN_NIUmM";

const before = keyringOf([{ id: "k1", key: K1 }]);
const rotated = keyringOf([
  { id: "k2", key: K2 },
  { id: "k1", key: K1 },
]);

describe("sealing with a keyring", () => {
  it("seals with the current key, names it in the sealed text, and never shows the secret", () => {
    const sealed = sealSecret(rotated, SECRET, REQUEST);
    expect(sealed).toMatch(/^v2\.k2\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(SECRET);
    expect(openSecret(rotated, sealed, REQUEST)).toBe(SECRET);
  });

  it("opens, after a rotation, what the key that is now older sealed", () => {
    const sealed = sealSecret(before, SECRET, REQUEST);
    expect(openSecret(rotated, sealed, REQUEST)).toBe(SECRET);
  });

  it("does not open a secret sealed for another request, another tenant or another URL", () => {
    const sealed = sealSecret(rotated, SECRET, REQUEST);
    expect(() => openSecret(rotated, sealed, { ...REQUEST, requestId: "5b1c5a8e-3f2a-4d3b-8e7c-1a2b3c4d5e6f" })).toThrow(SecretUnsealError);
    expect(() => openSecret(rotated, sealed, { ...REQUEST, tenantId: "other" })).toThrow(/sealed for another request or URL/);
    expect(() => openSecret(rotated, sealed, { ...REQUEST, url: "https://attacker.example/hook" })).toThrow(/sealed for another request or URL/);
  });

  it("says which key is missing when the ring no longer holds the key that sealed", () => {
    const sealed = sealSecret(before, SECRET, REQUEST);
    expect(() => openSecret(keyringOf([{ id: "k2", key: K2 }]), sealed, REQUEST)).toThrow(/sealed with key "k1", which is not in the keyring \(k2\)/);
  });

  it("does not open with another key under the same id", () => {
    const sealed = sealSecret(before, SECRET, REQUEST);
    expect(() => openSecret(keyringOf([{ id: "k1", key: K2 }]), sealed, REQUEST)).toThrow(SecretUnsealError);
  });

  it("refuses a tampered ciphertext and a shortened tag", () => {
    const [v, id, iv, ct, tag] = sealSecret(before, SECRET, REQUEST).split(".") as [string, string, string, string, string];
    const flipped = Buffer.from(ct, "base64url");
    flipped[0] = flipped[0]! ^ 1;
    expect(() => openSecret(before, [v, id, iv, flipped.toString("base64url"), tag].join("."), REQUEST)).toThrow(SecretUnsealError);
    const short = Buffer.from(tag, "base64url").subarray(0, 4).toString("base64url");
    expect(() => openSecret(before, [v, id, iv, ct, short].join("."), REQUEST)).toThrow(SecretUnsealError);
  });

  it("opens a secret sealed before keyrings with whichever key of the ring sealed it", () => {
    expect(openSecret(before, SEALED_BEFORE_KEYRINGS, REQUEST)).toBe("receiver-secret-sealed-before-keyrings");
    expect(openSecret(rotated, SEALED_BEFORE_KEYRINGS, REQUEST)).toBe("receiver-secret-sealed-before-keyrings");
    expect(() => openSecret(keyringOf([{ id: "k2", key: K2 }]), SEALED_BEFORE_KEYRINGS, REQUEST)).toThrow(/no key of the keyring \(k2\) opens it/);
  });

  it("opens what WEBHOOK_SECRET_KEY sealed after that key moves into a ring under a name of its own", () => {
    const sealed = sealSecret(singleKeyRing(K1), SECRET, REQUEST);
    const ring = keyringOf([
      { id: "2025-06", key: K2 },
      { id: "first", key: K1 },
    ]);
    expect(openSecret(ring, sealed, REQUEST)).toBe(SECRET);
  });

  it("refuses what is not a sealed secret", () => {
    expect(() => openSecret(before, SECRET, REQUEST)).toThrow("not a sealed secret");
    expect(() => openSecret(before, "v2.k1.a.b", REQUEST)).toThrow("not a sealed secret");
  });
});
