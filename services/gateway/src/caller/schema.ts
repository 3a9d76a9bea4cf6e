// Who an API key is, as GET /api/v1/auth/key answers: its tenant, id, scopes and rate
// limit, so a client (the console) learns what it may do without trying each route.
import { z } from "zod";
import { API_SCOPES, ApiKeyId, ApiScope, TenantId } from "@chorus/contracts";
import type { Caller } from "../auth/index.ts";

export const KeyIdentity = z
  .object({
    tenant: TenantId.describe("The tenant every call with this key submits and reads as"),
    key_id: z
      .union([ApiKeyId, z.literal("bootstrap")])
      .nullable()
      .describe("The key's id; `bootstrap` for the deployment's CHORUS_ADMIN_KEY; null when the API is open (CHORUS_AUTH=off)"),
    scopes: z.array(ApiScope).describe("What the key may do"),
    rate_limit_per_minute: z.number().int().min(1).nullable().describe("Requests per minute; null: not limited (CHORUS_AUTH=off)"),
    auth: z.enum(["required", "off"]).describe("CHORUS_AUTH: whether calls need an API key"),
  })
  .describe("The calling API key");
export type KeyIdentity = z.infer<typeof KeyIdentity>;

export function keyIdentity(caller: Caller, auth: "required" | "off"): KeyIdentity {
  return { tenant: caller.tenantId, key_id: caller.keyId, scopes: API_SCOPES.filter((scope) => caller.scopes.has(scope)), rate_limit_per_minute: caller.rateLimitPerMinute, auth };
}
