// The webhook keys from configuration: WEBHOOK_SECRET_KEYS (a keyring, current first) or
// WEBHOOK_SECRET_KEY (a ring of one), and WEBHOOK_FINGERPRINT_KEY. With NODE_ENV=production
// every key must be 32 random bytes; elsewhere weak keys are accepted with a warning and
// no key at all means the development key. Checked once while the configuration is read,
// so a bad key ends the process (exit 78) before it connects to anything.
import { z } from "zod";
import { ConfigError, type Logger } from "@chorus/platform";
import { KEY_ID, derivedFingerprintKey, keyringOf, type RingKey, type WebhookKeys } from "./keyring.ts";
import { DEVELOPMENT_WEBHOOK_SECRET_KEY, derivedKeyId, keyTooShort, keyWeakness, secretKeyOf, type SecretKey } from "./secret-keys.ts";

export type WebhookKeysEnv = {
  WEBHOOK_SECRET_KEY?: string | undefined;
  WEBHOOK_SECRET_KEYS?: string | undefined;
  WEBHOOK_FINGERPRINT_KEY?: string | undefined;
  NODE_ENV?: string | undefined;
};

type KeyVariable = "WEBHOOK_SECRET_KEY" | "WEBHOOK_SECRET_KEYS" | "WEBHOOK_FINGERPRINT_KEY";

/** What is wrong with one variable, without its value. */
export type KeyIssue = { variable: KeyVariable; message: string };

export type WebhookKeysVerdict = { ok: true; keys: WebhookKeys; warnings: string[] } | { ok: false; issues: KeyIssue[] };

type KeyringEntry = { id: string; text: string };

/** "<id>:<key>,<id>:<key>" as entries, or what is wrong with its syntax (never echoing a key). */
export function parseKeyringText(text: string): { entries: KeyringEntry[] } | { error: string } {
  const entries: KeyringEntry[] = [];
  for (const [i, raw] of text.split(",").entries()) {
    const entry = raw.trim();
    const n = i + 1;
    const colon = entry.indexOf(":");
    if (colon < 0) return { error: `entry ${n} is not <id>:<key> (entries are separated by commas, the current key first)` };
    const id = entry.slice(0, colon).trim();
    if (!KEY_ID.test(id)) return { error: `entry ${n}: a key id is 1 to 32 letters, digits, "_" or "-"` };
    if (entries.some((e) => e.id === id)) return { error: `key id "${id}" appears twice` };
    entries.push({ id, text: entry.slice(colon + 1).trim() });
  }
  return { entries };
}

const HOW_TO = "32 random bytes in base64 or hex (openssl rand -base64 32)";

/** The keys the configuration names, or every issue with it. Pure: the same answer in every service. */
export function webhookKeysOf(env: WebhookKeysEnv): WebhookKeysVerdict {
  const production = env.NODE_ENV === "production";
  const issues: KeyIssue[] = [];
  const warnings: string[] = [];

  /**
   * A key's bytes, or undefined after recording why it cannot be used. `label` names an entry
   * of a ring; `sealing` is false for a ring's older keys, which only open what they sealed
   * before: in production those may be weak (an earlier version accepted any 16 characters),
   * or a rotation away from a weak key would lose every request sealed with it.
   */
  const keyOf = (variable: KeyVariable, text: string, label = "", sealing = true): SecretKey | undefined => {
    const weak = keyWeakness(text);
    // In production, what is wrong (a placeholder says so); elsewhere only what not even development should use.
    const refused = production && sealing ? weak : keyTooShort(text);
    if (refused) {
      issues.push({ variable, message: `${label}${refused}` });
      return undefined;
    }
    if (weak && production) warnings.push(`${variable}: ${label}${weak}; kept only to open the secrets it sealed before: it seals nothing`);
    else if (weak) warnings.push(`${variable}: ${label}${weak}; accepted only because NODE_ENV is not production`);
    return secretKeyOf(text);
  };

  // Filled in order, current first: from WEBHOOK_SECRET_KEYS, or the one key of WEBHOOK_SECRET_KEY or the development key.
  const ringKeys: RingKey[] = [];
  if (env.WEBHOOK_SECRET_KEYS !== undefined && env.WEBHOOK_SECRET_KEY !== undefined) {
    issues.push({ variable: "WEBHOOK_SECRET_KEYS", message: "set WEBHOOK_SECRET_KEYS or WEBHOOK_SECRET_KEY, not both: the ring lists every key, the current first" });
  } else if (env.WEBHOOK_SECRET_KEYS !== undefined) {
    const parsed = parseKeyringText(env.WEBHOOK_SECRET_KEYS);
    if ("error" in parsed) issues.push({ variable: "WEBHOOK_SECRET_KEYS", message: parsed.error });
    else
      for (const [index, { id, text }] of parsed.entries.entries()) {
        const key = keyOf("WEBHOOK_SECRET_KEYS", text, `key "${id}" `, index === 0);
        if (key) ringKeys.push({ id, key });
      }
  } else if (env.WEBHOOK_SECRET_KEY !== undefined) {
    const key = keyOf("WEBHOOK_SECRET_KEY", env.WEBHOOK_SECRET_KEY);
    if (key) ringKeys.push({ id: derivedKeyId(key), key });
  } else if (production) {
    issues.push({ variable: "WEBHOOK_SECRET_KEY", message: `is required in production (or WEBHOOK_SECRET_KEYS): ${HOW_TO}` });
  } else {
    warnings.push("WEBHOOK_SECRET_KEY is not set; using the development key, which must never be used in production");
    const key = secretKeyOf(DEVELOPMENT_WEBHOOK_SECRET_KEY);
    ringKeys.push({ id: derivedKeyId(key), key });
  }

  let fingerprintKey: SecretKey | undefined;
  if (env.WEBHOOK_FINGERPRINT_KEY !== undefined) {
    fingerprintKey = keyOf("WEBHOOK_FINGERPRINT_KEY", env.WEBHOOK_FINGERPRINT_KEY);
    if (fingerprintKey && ringKeys.some((k) => k.key.equals(fingerprintKey!))) {
      const message = "must differ from every key that seals webhook secrets";
      if (production) issues.push({ variable: "WEBHOOK_FINGERPRINT_KEY", message });
      else warnings.push(`WEBHOOK_FINGERPRINT_KEY: ${message}; accepted only because NODE_ENV is not production`);
    }
  }

  if (issues.length > 0 || ringKeys.length === 0) return { ok: false, issues };
  const ring = keyringOf(ringKeys);
  return { ok: true, keys: { ring, fingerprintKey: fingerprintKey ?? derivedFingerprintKey(ring) }, warnings };
}

/**
 * WEBHOOK_SECRET_KEY, WEBHOOK_SECRET_KEYS and WEBHOOK_FINGERPRINT_KEY: strings here; whether
 * they are keys depends on each other and on NODE_ENV, so `refineWebhookKeys` checks them.
 */
export const SecretKeyConfig = z.string().trim();

/**
 * For a service's configuration schema (`.superRefine(refineWebhookKeys)`): every issue
 * with its webhook keys, reported under the variable's name like any bad value.
 */
export function refineWebhookKeys(config: WebhookKeysEnv, ctx: z.RefinementCtx): void {
  const verdict = webhookKeysOf(config);
  if (verdict.ok) return;
  for (const issue of verdict.issues) ctx.addIssue({ code: "custom", path: [issue.variable], message: issue.message });
}

/**
 * The webhook keys of a service whose configuration was read: warns about weak keys
 * outside production and says which key seals. A configuration that `refineWebhookKeys`
 * did not check still cannot pass: its issues are a ConfigError (exit 78 in runService).
 */
export function resolveWebhookKeys(config: WebhookKeysEnv, logger: Pick<Logger, "warn" | "info">): WebhookKeys {
  const verdict = webhookKeysOf(config);
  if (!verdict.ok) throw new ConfigError(`invalid configuration:\n${verdict.issues.map((i) => `  ${i.variable}: ${i.message}`).join("\n")}`);
  for (const warning of verdict.warnings) logger.warn(warning);
  const { ring } = verdict.keys;
  logger.info({ current_key: ring.current.id, key_ids: ring.keys.map((k) => k.id) }, "webhook secrets are sealed with the current key and opened with any key of the ring");
  return verdict.keys;
}
