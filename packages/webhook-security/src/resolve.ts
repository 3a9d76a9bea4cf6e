// Resolves a webhook URL's host and refuses it when any of its addresses may not be
// reached (see address.ts). Used at submission and again at every delivery,
// since DNS can change in between; the delivery then connects to the checked address.
import { lookup } from "node:dns/promises";
import { webhookAddressVerdict } from "./address.ts";

export type ResolvedAddress = { address: string; family: 4 | 6 };

/** forbidden: never deliverable (scheme, address); unresolved: DNS gave nothing now, which may change. */
export type WebhookTargetCheck = { ok: true; addresses: ResolvedAddress[] } | { ok: false; kind: "forbidden" | "unresolved"; reason: string };

/** Checks scheme and every resolved address; `allowPrivate` skips the address check (development, tests). */
export async function checkWebhookTarget(url: string, options: { allowPrivate: boolean }): Promise<WebhookTargetCheck> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, kind: "forbidden", reason: "not a valid URL" };
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return { ok: false, kind: "forbidden", reason: "must be an http or https URL" };
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  let addresses: ResolvedAddress[];
  try {
    addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
  } catch {
    return { ok: false, kind: "unresolved", reason: `host ${host} does not resolve` };
  }
  if (addresses.length === 0) return { ok: false, kind: "unresolved", reason: `host ${host} does not resolve` };
  if (!options.allowPrivate) {
    for (const a of addresses) {
      const verdict = webhookAddressVerdict(a.address);
      if (!verdict.allowed) return { ok: false, kind: "forbidden", reason: `host ${host} resolves to a ${verdict.reason} address, which webhooks may not reach` };
    }
  }
  return { ok: true, addresses };
}
