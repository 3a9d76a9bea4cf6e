// The submission-time SSRF check of a webhook URL: a host that resolves to a loopback,
// private, link-local or metadata address is a 422. A host that does not resolve yet is
// let through; the webhook service checks again, and connects only to what it checked.
import { validationError } from "../errors.ts";
import { checkWebhookTarget } from "@chorus/webhook-security";

export async function refuseForbiddenWebhook(url: string, allowPrivate: boolean): Promise<void> {
  const check = await checkWebhookTarget(url, { allowPrivate });
  if (!check.ok && check.kind === "forbidden") throw validationError([{ field: "webhook_url", message: check.reason }]);
}
