// The admin API's shapes: what creating a key takes, and a key as the API shows it (never
// the key or its hash, except the key itself once, in the answer that creates it).
import { z } from "zod";
import { ApiKeyId, ApiScope, TenantId } from "@chorus/contracts";
import type { ApiKeyRecord } from "../auth/registry.ts";

export const CreateKeyBody = z.strictObject({
  tenant: TenantId.describe("The tenant whose requests the key submits and reads"),
  name: z.string().trim().min(1).max(100).describe("What the key is for, to tell keys apart"),
  scopes: z
    .array(ApiScope)
    .min(1)
    .transform((scopes) => [...new Set(scopes)])
    .describe("requests:write (submit), requests:read (results, events, webhook logs), webhooks:write (manual retry), admin (manage keys)"),
  rate_limit_per_minute: z.number().int().min(1).max(1_000_000).nullish().describe("Requests per minute; absent: API_RATE_LIMIT_PER_MINUTE"),
});
export type CreateKeyBody = z.infer<typeof CreateKeyBody>;

export const KeyIdParam = ApiKeyId;

export type ApiKeyView = {
  id: string;
  tenant: string;
  name: string;
  scopes: string[];
  rate_limit_per_minute: number | null;
  /** The key's first characters, e.g. `chorus_sk_Ab12Cd`. */
  key_prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
};

export function keyView(record: ApiKeyRecord, lastUsedAt: string | null): ApiKeyView {
  return {
    id: record.id,
    tenant: record.tenant,
    name: record.name,
    scopes: [...record.scopes],
    rate_limit_per_minute: record.rateLimitPerMinute,
    key_prefix: record.keyPrefix,
    created_at: record.createdAt,
    last_used_at: lastUsedAt,
    revoked_at: record.revokedAt,
  };
}
