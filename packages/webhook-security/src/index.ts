// @chorus/webhook-security: what makes a webhook safe to send and to trust — where it may
// go (the URL's text, address ranges, resolved at submission and at every delivery), how it is signed
// and verified (the earlier service's X-Webhook-Signature and Standard Webhooks), and how
// its secret is sealed while it travels in events (a keyring, current key first).
export { webhookAddressVerdict, type AddressVerdict } from "./address.ts";
export { checkWebhookTarget, type ResolvedAddress, type WebhookTargetCheck } from "./resolve.ts";
export { webhookUrlSyntaxVerdict, webhookUrlVerdict, type WebhookUrlOptions, type WebhookUrlVerdict } from "./url.ts";
export { DEFAULT_WEBHOOK_PORTS, WebhookPortsConfig } from "./ports.ts";
export { WEBHOOK_HEADERS, WEBHOOK_TOLERANCE_SECONDS, hexSignature, signatureHeaders, standardSignature, verifyWebhook, type WebhookVerification } from "./signing.ts";
export { DEVELOPMENT_WEBHOOK_SECRET_KEY, decodeSecretKey, derivedKeyId, keyWeakness, secretKeyOf, type SecretKey } from "./secret-keys.ts";
export { derivedFingerprintKey, keyringOf, ringKeyFor, singleKeyRing, type RingKey, type SecretKeyring, type WebhookKeys } from "./keyring.ts";
export {
  SecretKeyConfig,
  parseKeyringText,
  refineWebhookKeys,
  resolveWebhookKeys,
  webhookKeysOf,
  type KeyIssue,
  type WebhookKeysEnv,
  type WebhookKeysVerdict,
} from "./key-config.ts";
export { SecretUnsealError, openSecret, sealSecret, type SealBinding } from "./secrets.ts";
