// The admin API's answers as schemas, for the OpenAPI document: a key once created (with
// the key itself, shown that once) and keys as listed (never key material). Typed against
// the shapes the admin routes build (admin/schema.ts), so the two cannot drift apart.
import { z } from "zod";
import { ApiKeyId, ApiScope, TenantId } from "@chorus/contracts";
import type { ApiKeyView as ListedKey } from "../admin/schema.ts";

const Timestamp = z.iso.datetime({ offset: true });
const RateLimit = z.number().int().min(1).nullable().describe("Requests per minute; null: the deployment's API_RATE_LIMIT_PER_MINUTE");

export const ApiKeyView = z
  .object({
    id: ApiKeyId,
    tenant: TenantId,
    name: z.string(),
    scopes: z.array(ApiScope),
    rate_limit_per_minute: RateLimit,
    key_prefix: z.string().describe("The key's first characters, to tell keys apart (not enough to use one)"),
    created_at: Timestamp,
    last_used_at: Timestamp.nullable().describe("When the key was last used, to within about a minute; null if never (or not yet recorded)"),
    revoked_at: Timestamp.nullable().describe("When the key was revoked; null while it is valid"),
  })
  .describe("An API key as listed: everything but the key") satisfies z.ZodType<ListedKey>;

export const ApiKeyList = z.object({ keys: z.array(ApiKeyView) }).describe("Every key of every tenant, revoked ones included");

export const CreatedApiKey = z
  .object({
    id: ApiKeyId,
    key: z.string().regex(/^chorus_sk_[A-Za-z0-9_-]{43}$/).describe("The key itself: shown in this answer only, and stored only as its hash. Send it as `Authorization: Bearer <key>`"),
    tenant: TenantId,
    name: z.string(),
    scopes: z.array(ApiScope),
    rate_limit_per_minute: RateLimit,
    created_at: Timestamp,
  })
  .describe("A new API key");
