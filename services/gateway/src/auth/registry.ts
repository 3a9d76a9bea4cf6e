// The API keys a gateway accepts, folded from the keys stream's events. Pure: `evolveKeys`
// takes the registry and one event and changes nothing else; the shell (key-store.ts)
// feeds it every recorded event and each one this replica records.
import type { ApiKeyEvent, ApiScope } from "@chorus/contracts";

export type ApiKeyRecord = {
  id: string;
  tenant: string;
  name: string;
  scopes: readonly ApiScope[];
  /** null: the deployment's default rate limit. */
  rateLimitPerMinute: number | null;
  keyHash: string;
  keyPrefix: string;
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
  revokedBy: string | null;
};

export type KeyRegistry = {
  byId: Map<string, ApiKeyRecord>;
  byHash: Map<string, ApiKeyRecord>;
};

export function emptyKeyRegistry(): KeyRegistry {
  return { byId: new Map(), byHash: new Map() };
}

/** Applies one key event; a repeated event (redelivery, this replica's own) changes nothing. */
export function evolveKeys(registry: KeyRegistry, event: ApiKeyEvent): void {
  if (event.type === "ApiKeyCreated") {
    if (registry.byId.has(event.key_id)) return;
    const record: ApiKeyRecord = {
      id: event.key_id,
      tenant: event.tenant_id,
      name: event.data.name,
      scopes: event.data.scopes,
      rateLimitPerMinute: event.data.rate_limit_per_minute,
      keyHash: event.data.key_hash,
      keyPrefix: event.data.key_prefix,
      createdAt: event.occurred_at,
      createdBy: event.by_key_id,
      revokedAt: null,
      revokedBy: null,
    };
    registry.byId.set(record.id, record);
    registry.byHash.set(record.keyHash, record);
    return;
  }
  const record = registry.byId.get(event.key_id);
  // The first revocation counts; a revocation of a key never created is ignored.
  if (!record || record.revokedAt !== null) return;
  record.revokedAt = event.occurred_at;
  record.revokedBy = event.by_key_id;
}

/** Every key, oldest first. */
export function listKeys(registry: KeyRegistry): ApiKeyRecord[] {
  return [...registry.byId.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}
