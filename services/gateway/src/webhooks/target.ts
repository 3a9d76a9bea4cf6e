// The submission-time SSRF check of a webhook URL: what delivery would refuse (a local,
// internal or metadata name, a port not allowed, a host that resolves to a loopback,
// private, link-local or metadata address) is a 422, whose message never says what a name
// resolves to. A host that does not resolve yet is let through; the webhook service checks
// again, and connects only to what it checked.
import { validationError } from "../errors.ts";
import { checkWebhookTarget, type WebhookUrlOptions } from "@chorus/webhook-security";

export async function refuseForbiddenWebhook(url: string, options: WebhookUrlOptions): Promise<void> {
  const check = await checkWebhookTarget(url, options);
  if (!check.ok && check.kind === "forbidden") throw validationError([{ field: "webhook_url", message: check.reason }]);
}
