import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, loadConfig } from "@chorus/platform";
import { SecretKeyConfig, parseKeyringText, refineWebhookKeys, resolveWebhookKeys, webhookKeysOf, type WebhookKeysEnv } from "./key-config.ts";
import { DEVELOPMENT_WEBHOOK_SECRET_KEY, secretKeyOf } from "./secret-keys.ts";

const K1 = "Hjp1uUQbEEA7vTK1HjQ0bdZWGzWNUcDcN3ZCSPk2XIk=";
const K2 = "9aMZRvV4q71WOHj+HipN0/7EcGpR6fqmVP8FFcuJjZY=";
const K3_HEX = "a30dbbe70eab5fa4ad8585757795590ca4951f0aa8f0c530d843f2ed9c8dc6e8";
const PRODUCTION = { NODE_ENV: "production" };

function keysOf(env: WebhookKeysEnv) {
  const verdict = webhookKeysOf(env);
  if (!verdict.ok) throw new Error(`unexpected issues: ${JSON.stringify(verdict.issues)}`);
  return verdict;
}

function issuesOf(env: WebhookKeysEnv) {
  const verdict = webhookKeysOf(env);
  if (verdict.ok) throw new Error("expected issues");
  return verdict.issues;
}

function recordingLogger() {
  const warnings: unknown[] = [];
  const infos: unknown[] = [];
  return { warnings, infos, logger: { warn: (...args: unknown[]) => void warnings.push(args), info: (...args: unknown[]) => void infos.push(args) } as never };
}

describe("WEBHOOK_SECRET_KEYS", () => {
  it("is a ring of <id>:<key> entries, the current first, the oldest last", () => {
    const { keys, warnings } = keysOf({ ...PRODUCTION, WEBHOOK_SECRET_KEYS: ` 2025-06:${K2} , first:${K1},old_3:${K3_HEX}` });
    expect(keys.ring.current.id).toBe("2025-06");
    expect(keys.ring.keys.map((k) => k.id)).toEqual(["2025-06", "first", "old_3"]);
    expect(keys.ring.keys[1]?.key.equals(Buffer.from(K1, "base64"))).toBe(true);
    expect(keys.ring.keys[2]?.key.equals(Buffer.from(K3_HEX, "hex"))).toBe(true);
    expect(warnings).toEqual([]);
  });

  it("names what is wrong with an entry without repeating a key", () => {
    expect(parseKeyringText(`k2:${K2},${K1}`)).toEqual({ error: "entry 2 is not <id>:<key> (entries are separated by commas, the current key first)" });
    expect(parseKeyringText(`k2:${K2},bad id:${K1}`)).toEqual({ error: 'entry 2: a key id is 1 to 32 letters, digits, "_" or "-"' });
    expect(parseKeyringText(`k1:${K2},k1:${K1}`)).toEqual({ error: 'key id "k1" appears twice' });
    expect(parseKeyringText(`k2:${K2},`)).toMatchObject({ error: expect.stringContaining("entry 2") });
    expect(JSON.stringify(parseKeyringText(`k2:${K2},${K1}`))).not.toContain(K1);
  });

  it("refuses a placeholder among the ring's keys in production, naming the entry", () => {
    expect(issuesOf({ ...PRODUCTION, WEBHOOK_SECRET_KEYS: `new:CHANGE-ME-32-random-bytes-in-base64,old:${K1}` })).toEqual([
      { variable: "WEBHOOK_SECRET_KEYS", message: expect.stringMatching(/^key "new" is a placeholder/) },
    ]);
  });

  it("keeps a weak older key of the ring in production, with a warning, so the secrets it sealed still open", () => {
    const verdict = webhookKeysOf({ ...PRODUCTION, WEBHOOK_SECRET_KEYS: `new:${K1},old:an-earlier-passphrase-key`, WEBHOOK_FINGERPRINT_KEY: K2 });
    expect(verdict.ok ? [] : verdict.issues).toEqual([]);
    expect(verdict.ok && verdict.warnings).toEqual([expect.stringMatching(/^WEBHOOK_SECRET_KEYS: key "old" .*; kept only to open the secrets it sealed before: it seals nothing$/)]);
    // Still too short for anything.
    expect(issuesOf({ ...PRODUCTION, WEBHOOK_SECRET_KEYS: `new:${K1},old:short` })).toEqual([{ variable: "WEBHOOK_SECRET_KEYS", message: expect.stringMatching(/^key "old" /) }]);
  });

  it("cannot be set together with WEBHOOK_SECRET_KEY", () => {
    expect(issuesOf({ WEBHOOK_SECRET_KEYS: `k1:${K1}`, WEBHOOK_SECRET_KEY: K2 })).toEqual([
      { variable: "WEBHOOK_SECRET_KEYS", message: "set WEBHOOK_SECRET_KEYS or WEBHOOK_SECRET_KEY, not both: the ring lists every key, the current first" },
    ]);
  });
});

describe("WEBHOOK_SECRET_KEY", () => {
  it("is a ring of one key whose id is derived from the key, the same in hex and base64", () => {
    const b64 = keysOf({ ...PRODUCTION, WEBHOOK_SECRET_KEY: K1 }).keys.ring;
    const hex = keysOf({ ...PRODUCTION, WEBHOOK_SECRET_KEY: Buffer.from(K1, "base64").toString("hex") }).keys.ring;
    const expected = `k${createHash("sha256").update(Buffer.from(K1, "base64")).digest("hex").slice(0, 8)}`;
    expect(b64.keys.map((k) => k.id)).toEqual([expected]);
    expect(hex.current.id).toBe(expected);
    expect(keysOf({ WEBHOOK_SECRET_KEY: K2 }).keys.ring.current.id).not.toBe(expected);
  });

  it.each([
    ["the deployment template's placeholder", "CHANGE-ME-32-random-bytes-in-base64", /^is a placeholder \(it contains "change-me"\)/],
    ["a changeme", "changeme-changeme-changeme-changeme", /^is a placeholder \(it contains "changeme"\)/],
    ["an example value", "an-example-key-for-the-readme-0123456789", /^is a placeholder \(it contains "example"\)/],
    ["the development key", DEVELOPMENT_WEBHOOK_SECRET_KEY, /^is the development key/],
    ["a passphrase", "correct horse battery staple", /^must be 32 bytes in base64 \(44 characters\) or hex \(64 characters\); this value \(28 characters\) is neither/],
    ["24 bytes of base64", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3", /^must be 32 bytes/],
    ["a patterned key", "ab".repeat(32), /^does not look random \(1 distinct byte values in 32\)/],
    ["a short string", "short", /^must be 32 bytes in base64 \(44 characters\) or hex \(64 characters\); this value \(5 characters\) is neither/],
    ["the Kubernetes example's placeholder", "CHANGE-ME", /^is a placeholder \(it contains "change-me"\)/],
  ])("refuses %s in production, saying why and how to make a key", (_what, value, why) => {
    const issues = issuesOf({ ...PRODUCTION, WEBHOOK_SECRET_KEY: value });
    expect(issues).toEqual([{ variable: "WEBHOOK_SECRET_KEY", message: expect.stringMatching(why) }]);
    expect(issues[0]?.message).toContain("openssl rand -base64 32");
  });

  it("accepts 32 random bytes in production in standard or URL-safe base64, padded or not, and in hex", () => {
    const urlSafe = Buffer.from(K2, "base64").toString("base64url");
    for (const value of [K1, K2, urlSafe, K3_HEX, K3_HEX.toUpperCase()]) expect(keysOf({ ...PRODUCTION, WEBHOOK_SECRET_KEY: value }).warnings).toEqual([]);
    expect(keysOf({ ...PRODUCTION, WEBHOOK_SECRET_KEY: urlSafe }).keys.ring.current.key.equals(Buffer.from(K2, "base64"))).toBe(true);
  });

  it("is required in production", () => {
    expect(issuesOf(PRODUCTION)).toEqual([{ variable: "WEBHOOK_SECRET_KEY", message: expect.stringMatching(/^is required in production \(or WEBHOOK_SECRET_KEYS\)/) }]);
  });

  it("outside production, accepts a weak key with a warning, and uses the development key when unset", () => {
    const weak = keysOf({ WEBHOOK_SECRET_KEY: "CHANGE-ME-32-random-bytes-in-base64" });
    expect(weak.warnings).toEqual([expect.stringMatching(/^WEBHOOK_SECRET_KEY: is a placeholder .*; accepted only because NODE_ENV is not production$/)]);
    expect(weak.keys.ring.current.key.equals(secretKeyOf("CHANGE-ME-32-random-bytes-in-base64"))).toBe(true);
    const unset = keysOf({ NODE_ENV: "development" });
    expect(unset.warnings).toEqual(["WEBHOOK_SECRET_KEY is not set; using the development key, which must never be used in production"]);
    expect(unset.keys.ring.current.key.equals(secretKeyOf(DEVELOPMENT_WEBHOOK_SECRET_KEY))).toBe(true);
    expect(issuesOf({ WEBHOOK_SECRET_KEY: "short" })).toEqual([{ variable: "WEBHOOK_SECRET_KEY", message: expect.stringMatching(/^must be at least 16 characters/) }]);
  });
});

describe("the fingerprint key", () => {
  it("is WEBHOOK_FINGERPRINT_KEY when set", () => {
    expect(keysOf({ ...PRODUCTION, WEBHOOK_SECRET_KEY: K1, WEBHOOK_FINGERPRINT_KEY: K3_HEX }).keys.fingerprintKey.equals(Buffer.from(K3_HEX, "hex"))).toBe(true);
  });

  it("is otherwise derived from the oldest key, so a rotation does not change it, and is none of the sealing keys", () => {
    const single = keysOf({ ...PRODUCTION, WEBHOOK_SECRET_KEY: K1 }).keys;
    const ring = keysOf({ ...PRODUCTION, WEBHOOK_SECRET_KEYS: `k1:${K1}` }).keys;
    const rotated = keysOf({ ...PRODUCTION, WEBHOOK_SECRET_KEYS: `k2:${K2},k1:${K1}` }).keys;
    const rotatedAgain = keysOf({ ...PRODUCTION, WEBHOOK_SECRET_KEYS: `k3:${K3_HEX},k2:${K2},k1:${K1}` }).keys;
    expect(ring.fingerprintKey.equals(single.fingerprintKey)).toBe(true);
    expect(rotated.fingerprintKey.equals(single.fingerprintKey)).toBe(true);
    expect(rotatedAgain.fingerprintKey.equals(single.fingerprintKey)).toBe(true);
    for (const { key } of rotatedAgain.ring.keys) expect(rotatedAgain.fingerprintKey.equals(key)).toBe(false);
    // Retiring the oldest key is what changes it (docs/security.md: set WEBHOOK_FINGERPRINT_KEY before).
    expect(keysOf({ ...PRODUCTION, WEBHOOK_SECRET_KEYS: `k3:${K3_HEX},k2:${K2}` }).keys.fingerprintKey.equals(single.fingerprintKey)).toBe(false);
  });

  it("refuses in production a fingerprint key that also seals, and a placeholder", () => {
    expect(issuesOf({ ...PRODUCTION, WEBHOOK_SECRET_KEYS: `k2:${K2},k1:${K1}`, WEBHOOK_FINGERPRINT_KEY: K1 })).toEqual([
      { variable: "WEBHOOK_FINGERPRINT_KEY", message: "must differ from every key that seals webhook secrets" },
    ]);
    expect(issuesOf({ ...PRODUCTION, WEBHOOK_SECRET_KEY: K1, WEBHOOK_FINGERPRINT_KEY: "CHANGE-ME-32-random-bytes-in-base64" })).toEqual([
      { variable: "WEBHOOK_FINGERPRINT_KEY", message: expect.stringMatching(/^is a placeholder/) },
    ]);
  });
});

describe("in a service's configuration", () => {
  const Config = z
    .object({ WEBHOOK_SECRET_KEY: SecretKeyConfig.optional(), WEBHOOK_SECRET_KEYS: SecretKeyConfig.optional(), WEBHOOK_FINGERPRINT_KEY: SecretKeyConfig.optional(), NODE_ENV: z.string().optional() })
    .superRefine(refineWebhookKeys);

  it("a bad key is a bad variable, named and its value hidden, before anything starts", () => {
    expect(() => loadConfig(Config, { NODE_ENV: "production", WEBHOOK_SECRET_KEY: "CHANGE-ME-32-random-bytes-in-base64" })).toThrow(
      /^invalid configuration:\n {2}WEBHOOK_SECRET_KEY: is a placeholder \(it contains "change-me"\), not a key: set 32 random bytes in base64 or hex \(openssl rand -base64 32\) \(set \(hidden\)\)$/,
    );
    expect(() => loadConfig(Config, { WEBHOOK_SECRET_KEYS: `k1 ${K1}` })).toThrow(/WEBHOOK_SECRET_KEYS: entry 1 is not <id>:<key>/);
    expect(loadConfig(Config, { NODE_ENV: "production", WEBHOOK_SECRET_KEYS: `k1:${K1}` })).toMatchObject({ WEBHOOK_SECRET_KEYS: `k1:${K1}` });
  });

  it("resolving the keys throws the same issues as a ConfigError, and logs the ring's ids", () => {
    const { logger, infos, warnings } = recordingLogger();
    expect(() => resolveWebhookKeys({ NODE_ENV: "production" }, logger)).toThrow(ConfigError);
    expect(() => resolveWebhookKeys({ NODE_ENV: "production" }, logger)).toThrow(/WEBHOOK_SECRET_KEY: is required in production/);
    const keys = resolveWebhookKeys({ ...PRODUCTION, WEBHOOK_SECRET_KEYS: `k2:${K2},k1:${K1}` }, logger);
    expect(keys.ring.current.id).toBe("k2");
    expect(warnings).toEqual([]);
    expect(infos).toEqual([[{ current_key: "k2", key_ids: ["k2", "k1"] }, expect.any(String)]]);
  });
});
