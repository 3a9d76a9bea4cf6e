// `chorus keys create|list|revoke`: API keys through the admin API (CHORUS_API_KEY must be an
// admin key, or the gateway's CHORUS_ADMIN_KEY). A new key is printed once, as the API shows it once.
import type { ChorusApi } from "../api/client.ts";
import { EXIT } from "../exit-codes.ts";
import type { Output } from "./commands.ts";

export async function createKeyCommand(api: ChorusApi, body: { tenant: string; name: string; scopes: string[]; rate_limit_per_minute?: number }, out: Output): Promise<number> {
  const made = await api.createKey(body);
  out.write(out.json ? `${JSON.stringify(made, null, 2)}\n` : `${made.key}\n${out.paint.dim(`${made.id}  tenant ${made.tenant}  ${made.scopes.join(" ")}  (shown once: keep it now)`)}\n`);
  return EXIT.ok;
}

export async function listKeysCommand(api: ChorusApi, out: Output): Promise<number> {
  const { keys } = await api.listKeys();
  if (out.json) out.write(`${JSON.stringify(keys, null, 2)}\n`);
  else
    for (const k of keys)
      out.write(`${k.id}  ${k.key_prefix}…  ${k.tenant}  ${k.name}  ${k.scopes.join(" ")}  ${k.revoked_at ? out.paint.bad(`revoked ${k.revoked_at}`) : out.paint.dim(`last used ${k.last_used_at ?? "never"}`)}\n`);
  return EXIT.ok;
}

export async function revokeKeyCommand(api: ChorusApi, id: string, out: Output): Promise<number> {
  await api.revokeKey(id);
  out.write(`${id} revoked\n`);
  return EXIT.ok;
}
