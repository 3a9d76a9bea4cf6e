// What the webhook routes answer: a request's delivery attempts, and the acceptance of a
// redelivery or of an inbound request. Described for the OpenAPI document.
import { z } from "zod";

export { WebhookAttemptView, WebhookLogs } from "@chorus/contracts";

export const CallbackTestResult = z.object({
  valid: z.boolean(),
  scheme: z.enum(["standard-webhooks", "x-webhook-signature"]).nullable(),
  reason: z.string().nullable(),
  webhook_id: z.string().nullable(),
  received_bytes: z.number().int().min(0),
});
export type CallbackTestResult = z.infer<typeof CallbackTestResult>;
