// Resolves a webhook URL's host and refuses it when its text (url.ts) or any of its
// addresses (address.ts) may not be reached. Used at submission and again at every
// delivery, since DNS can change in between; the delivery then connects to the checked address.
import { lookup } from "node:dns/promises";
import { webhookAddressVerdict } from "./address.ts";
import { webhookUrlVerdict, type WebhookUrlOptions } from "./url.ts";

export type ResolvedAddress = { address: string; family: 4 | 6 };

/**
 * forbidden: never deliverable (scheme, name, port, address); unresolved: DNS gave nothing now,
 * which may change. `href` is the URL as the parser spells it: the one to call.
 */
export type WebhookTargetCheck =
  | { ok: true; href: string; addresses: ResolvedAddress[] }
  | { ok: false; kind: "forbidden" | "unresolved"; reason: string };

/** Checks the URL's text, then every address its host resolves to; `allowPrivate` skips the name, port and address checks (development, tests). */
export async function checkWebhookTarget(url: string, options: WebhookUrlOptions): Promise<WebhookTargetCheck> {
  const verdict = webhookUrlVerdict(url, options);
  if (!verdict.allowed) return { ok: false, kind: "forbidden", reason: verdict.reason };
  const { host, href } = verdict;
  let addresses: ResolvedAddress[];
  try {
    addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
  } catch {
    return { ok: false, kind: "unresolved", reason: `host ${host} does not resolve` };
  }
  if (addresses.length === 0) return { ok: false, kind: "unresolved", reason: `host ${host} does not resolve` };
  if (!options.allowPrivate && addresses.some((a) => !webhookAddressVerdict(a.address).allowed)) {
    // Neither the address nor its kind is named: the answer must not map the internal network for the caller.
    return { ok: false, kind: "forbidden", reason: `host ${host} resolves to an address webhooks may not reach; set WEBHOOK_ALLOW_PRIVATE=true for local testing` };
  }
  return { ok: true, href, addresses };
}
