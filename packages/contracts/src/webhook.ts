// How a request's webhook is carried in events: the URL and the secret sealed with
// AES-256-GCM, so no event, log or read model holds the secret in plain text.
import { z } from "zod";

// v2 names the key that sealed it (a keyring rotates); v1 was sealed before key ids and still opens.
export const SealedSecret = z.string().regex(/^(v2\.[A-Za-z0-9_-]{1,32}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+|v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/, {
  message: "a sealed secret is v2.<key id>.<iv>.<ciphertext>.<tag> (or, sealed before key ids, v1.<iv>.<tag>.<ciphertext>), base64url",
});

export const WebhookTarget = z.object({
  url: z.url(),
  secret: SealedSecret,
});
export type WebhookTarget = z.infer<typeof WebhookTarget>;
