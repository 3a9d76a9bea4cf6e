// API keys as recorded facts: who may call Chorus, for which tenant, with which scopes.
// A key's creation and revocation are events on the keys stream (never the key itself:
// only its SHA-256); every gateway replica folds them into the keys it accepts.
import { z } from "zod";
import { TenantId } from "./envelope.ts";

/** What a key may do: submit, read, erase requests, retry webhooks, manage keys. */
export const ApiScope = z.enum(["requests:write", "requests:read", "requests:erase", "webhooks:write", "admin"]);
export type ApiScope = z.infer<typeof ApiScope>;
export const API_SCOPES = ApiScope.options;

/** A key's id: public, safe in logs, events and subjects (`key_` and 16 hex digits). */
export const ApiKeyId = z.string().regex(/^key_[0-9a-f]{16}$/, "must be a key id (key_ and 16 hex digits)");

/** Who did something to a key: another key's id, or `bootstrap` for CHORUS_ADMIN_KEY. */
const Actor = z.union([ApiKeyId, z.literal("bootstrap")]);

function keyEnvelope<const T extends string, D extends z.ZodType>(type: T, data: D) {
  return z.object({
    id: z.uuid(),
    type: z.literal(type),
    version: z.literal(1),
    key_id: ApiKeyId,
    tenant_id: TenantId,
    occurred_at: z.iso.datetime({ offset: true }),
    correlation_id: z.string().min(1).max(200),
    /** The key that made this change. */
    by_key_id: Actor,
    data,
  });
}

export const ApiKeyCreated = keyEnvelope(
  "ApiKeyCreated",
  z.object({
    name: z.string().min(1).max(100),
    scopes: z.array(ApiScope).min(1),
    /** Requests per minute; null: the deployment's API_RATE_LIMIT_PER_MINUTE. */
    rate_limit_per_minute: z.number().int().positive().nullable(),
    /** SHA-256 of the key, hex: how a presented key is recognised. */
    key_hash: z.string().regex(/^[0-9a-f]{64}$/),
    /** The key's first characters, to tell keys apart in a list (not enough to use it). */
    key_prefix: z.string().max(32),
  }),
);

export const ApiKeyRevoked = keyEnvelope("ApiKeyRevoked", z.object({}));

export const ApiKeyEvent = z.discriminatedUnion("type", [ApiKeyCreated, ApiKeyRevoked]);
export type ApiKeyEvent = z.infer<typeof ApiKeyEvent>;
export type ApiKeyEventOf<T extends ApiKeyEvent["type"]> = Extract<ApiKeyEvent, { type: T }>;

/** The subject suffix of a key event, after `<prefix>.keys.<key_id>.`. */
export function apiKeyEventSuffix(event: Pick<ApiKeyEvent, "type">): "created" | "revoked" {
  return event.type === "ApiKeyCreated" ? "created" : "revoked";
}
